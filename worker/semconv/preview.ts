import { PREVIEW_CHARS, type LlmView, type ToolCall } from './types';

/** One-line text for list views: whitespace collapsed, at most PREVIEW_CHARS characters with "…". */
export function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // Only the head is ever shown; slicing first keeps this cheap on megabyte attribute values.
  const line = text.slice(0, PREVIEW_CHARS * 4).replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  if (line.length <= PREVIEW_CHARS && text.length <= PREVIEW_CHARS * 4) return line;
  return `${line.slice(0, PREVIEW_CHARS - 1).trimEnd()}…`;
}

/** Tool calls as `→ name(args)`, the way a transcript would show the model's request. */
export function summarizeToolCalls(calls: readonly ToolCall[]): string | undefined {
  if (!calls.length) return undefined;
  return calls.map((c) => `→ ${c.name}(${c.arguments ?? ''})`).join(' ');
}

type PreviewSource = Pick<LlmView, 'inputMessages' | 'outputMessages' | 'input' | 'output' | 'tool' | 'toolCalls'>;

/**
 * For chat spans the last user turn and the first reply (or the tools it asked for); otherwise
 * the plain input/output, then a tool's arguments/result.
 */
export function previews(view: PreviewSource): { inputPreview?: string; outputPreview?: string } {
  const lastUser = view.inputMessages.findLast((m) => m.role === 'user') ?? view.inputMessages.at(-1);
  const firstOut = view.outputMessages[0];
  const input = nonEmpty(lastUser?.content) ?? view.input ?? view.tool?.arguments;
  const output =
    nonEmpty(firstOut?.content) ??
    summarizeToolCalls(firstOut?.toolCalls ?? []) ??
    view.output ??
    view.tool?.result ??
    summarizeToolCalls(view.toolCalls);
  return { inputPreview: clip(input), outputPreview: clip(output) };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text && text.trim() !== '' ? text : undefined;
}
