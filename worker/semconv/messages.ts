import { asText, isRecord, parseJson } from './attrs';
import type { ChatMessage, ToolCall } from './types';

// Content is data from senders; a bound on recursion keeps a pathological payload from blowing the stack.
const MAX_NESTING = 16;

const TOOL_CALL_TYPES = new Set(['tool_call', 'tool-call', 'tool_use', 'function_call']);
const TOOL_RESULT_TYPES = new Set(['tool_call_response', 'tool-result', 'tool_result', 'function_call_output']);
const HIDDEN_TYPES = new Set(['reasoning', 'thinking', 'redacted_thinking']);
const TEXT_TYPES = new Set(['text', 'input_text', 'output_text']);
const WRAPPED_TYPES = new Set(['json', 'error-text', 'error-json']);
const MESSAGE_KEYS = ['role', 'content', 'parts', 'tool_calls', 'toolCalls', 'text'];

interface Collected {
  texts: string[];
  toolCalls: ToolCall[];
  toolCallId?: string;
}

/**
 * Chat messages from any shape in use: GenAI `{role, parts}`, OpenAI/Anthropic/Vercel
 * `{role, content}` with string or part-array content, a JSON string of either, or a
 * `{messages: [...]}` wrapper. Text that is not a JSON list of messages becomes one message
 * with `defaultRole`, so nothing the sender wrote is lost.
 */
export function parseMessages(value: unknown, defaultRole: string): ChatMessage[] {
  if (typeof value !== 'string') return fromStructured(value, defaultRole);
  if (value.trim() === '') return [];
  const parsed = parseJson(value);
  if (typeof parsed === 'string') return [{ role: defaultRole, content: parsed }];
  const messages = fromStructured(parsed, defaultRole);
  return messages.length ? messages : [{ role: defaultRole, content: value }];
}

/** One message object in any of the shapes parseMessages accepts. */
export function toMessage(raw: Record<string, unknown>, defaultRole: string): ChatMessage {
  const acc: Collected = { texts: [], toolCalls: [] };
  if (Array.isArray(raw.parts)) for (const part of raw.parts) addPart(acc, part, 0);
  addContent(acc, raw.content ?? raw.text, 0);
  acc.toolCalls.push(...parseToolCalls(raw.tool_calls ?? raw.toolCalls));
  const message: ChatMessage = {
    role: typeof raw.role === 'string' && raw.role !== '' ? raw.role : defaultRole,
    content: acc.texts.join('\n\n'),
  };
  if (typeof raw.name === 'string' && raw.name) message.name = raw.name;
  if (acc.toolCalls.length) message.toolCalls = acc.toolCalls;
  const toolCallId = stringOf(raw.tool_call_id ?? raw.toolCallId) ?? acc.toolCallId;
  if (toolCallId) message.toolCallId = toolCallId;
  const finishReason = stringOf(raw.finish_reason ?? raw.finishReason);
  if (finishReason) message.finishReason = finishReason;
  return message;
}

/** Tool calls as OpenAI (`function: {name, arguments}`), GenAI, Anthropic or Vercel write them, or JSON of those. */
export function parseToolCalls(value: unknown): ToolCall[] {
  const list = typeof value === 'string' ? parseJson(value) : value;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map(toToolCall).filter((call) => call.name !== '' || call.id !== undefined);
}

/**
 * The readable text of message content: a string, a list of parts, or an object. Strings
 * holding a JSON list of typed parts (how some SDKs flatten multimodal content) are unpacked.
 */
export function contentText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const parsed = value.startsWith('[') ? parseJson(value) : undefined;
    return Array.isArray(parsed) && parsed.length && parsed.every((p) => isRecord(p) && 'type' in p)
      ? (contentText(parsed) ?? value)
      : value;
  }
  const acc: Collected = { texts: [], toolCalls: [] };
  addContent(acc, value, 0);
  if (acc.texts.length) return acc.texts.join('\n\n');
  return acc.toolCalls.length ? undefined : asText(value);
}

function fromStructured(value: unknown, defaultRole: string): ChatMessage[] {
  if (Array.isArray(value)) {
    return value.flatMap((item): ChatMessage[] => {
      if (typeof item === 'string') return [{ role: defaultRole, content: item }];
      return isMessageLike(item) ? [toMessage(item, defaultRole)] : [];
    });
  }
  if (isRecord(value) && Array.isArray(value.messages)) return fromStructured(value.messages, defaultRole);
  return isMessageLike(value) ? [toMessage(value, defaultRole)] : [];
}

function isMessageLike(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && MESSAGE_KEYS.some((key) => value[key] !== undefined);
}

function addContent(acc: Collected, content: unknown, depth: number): void {
  if (content === undefined || content === null) return;
  if (Array.isArray(content)) for (const part of content) addPart(acc, part, depth + 1);
  else addPart(acc, content, depth + 1);
}

function addPart(acc: Collected, part: unknown, depth: number): void {
  if (depth > MAX_NESTING) return;
  if (typeof part === 'string' || typeof part === 'number' || typeof part === 'boolean') {
    addText(acc, String(part));
    return;
  }
  if (!isRecord(part)) return;
  const type = typeof part.type === 'string' ? part.type : '';
  if (TOOL_CALL_TYPES.has(type)) {
    acc.toolCalls.push(toToolCall(part));
  } else if (TOOL_RESULT_TYPES.has(type)) {
    addText(acc, contentText(part.response ?? part.result ?? part.output ?? part.content));
    acc.toolCallId ??= stringOf(part.id ?? part.toolCallId ?? part.tool_use_id ?? part.call_id);
  } else if (WRAPPED_TYPES.has(type)) {
    addText(acc, contentText(part.value));
  } else if (!HIDDEN_TYPES.has(type)) {
    const text = part.content ?? part.text ?? (type === 'text' ? part.value : undefined);
    if (text !== undefined && text !== null) addContent(acc, text, depth);
    // Media and other non-text parts leave a marker, so a transcript shows that something was there.
    else if (type && !TEXT_TYPES.has(type)) acc.texts.push(`[${stringOf(part.modality) ?? type}]`);
  }
}

function addText(acc: Collected, text: string | undefined): void {
  if (text) acc.texts.push(text);
}

function toToolCall(raw: Record<string, unknown>): ToolCall {
  const fn = isRecord(raw.function) ? raw.function : {};
  const call: ToolCall = { name: stringOf(raw.name ?? raw.toolName ?? fn.name) ?? '' };
  const id = stringOf(raw.id ?? raw.toolCallId ?? raw.call_id);
  if (id) call.id = id;
  const args = asText(raw.arguments ?? raw.args ?? raw.input ?? fn.arguments);
  if (args !== undefined) call.arguments = args;
  return call;
}

function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}
