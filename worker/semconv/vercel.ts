import { asText, first, count, isRecord, parseJson, str, type Bag } from './attrs';
import { parseMessages, parseToolCalls } from './messages';
import type { ViewPart } from './part';
import type { ChatMessage, LlmSpanKind } from './types';

/**
 * Vercel AI SDK telemetry (`ai.*`, v3–v5). The outer `ai.generateText`-style span wraps one
 * `.doGenerate`/`.doStream` span per model call and repeats the usage totals, so only the inner
 * span counts as an LLM call; the outer one is a chain.
 */
export function vercelPart(a: Bag): ViewPart {
  const operation = str(a, 'ai.operationId');
  const prompt = promptOf(first(a, 'ai.prompt'));
  const text = asText(first(a, 'ai.response.text', 'ai.result.text', 'ai.response.object', 'ai.result.object'));
  const toolCalls = parseToolCalls(first(a, 'ai.response.toolCalls', 'ai.result.toolCalls'));
  const finishReason = str(a, 'ai.response.finishReason', 'ai.finishReason');
  const output: ChatMessage = { role: 'assistant', content: text ?? '' };
  if (toolCalls.length) output.toolCalls = toolCalls;
  if (finishReason) output.finishReason = finishReason;
  const messages = first(a, 'ai.prompt.messages');
  const toolName = str(a, 'ai.toolCall.name');
  return {
    kind: operation ? kindOf(operation) : undefined,
    operation,
    provider: str(a, 'ai.model.provider')?.split('.')[0],
    requestModel: str(a, 'ai.model.id'),
    responseModel: str(a, 'ai.response.model'),
    usage: {
      inputTokens: count(a, 'ai.usage.inputTokens', 'ai.usage.promptTokens'),
      outputTokens: count(a, 'ai.usage.outputTokens', 'ai.usage.completionTokens'),
      totalTokens: count(a, 'ai.usage.totalTokens'),
      cacheReadTokens: count(a, 'ai.usage.cachedInputTokens'),
      reasoningTokens: count(a, 'ai.usage.reasoningTokens'),
    },
    systemInstructions: prompt.system,
    inputMessages: messages !== undefined ? parseMessages(messages, 'user') : prompt.messages,
    outputMessages: text !== undefined || toolCalls.length ? [output] : [],
    tool: toolName
      ? {
          name: toolName,
          callId: str(a, 'ai.toolCall.id'),
          arguments: asText(first(a, 'ai.toolCall.args', 'ai.toolCall.input')),
          result: asText(first(a, 'ai.toolCall.result', 'ai.toolCall.output')),
        }
      : undefined,
  };
}

function kindOf(operation: string): LlmSpanKind | undefined {
  if (operation === 'ai.toolCall') return 'tool';
  if (/\.do(Generate|Stream)$/.test(operation)) return 'llm';
  if (operation.endsWith('.doEmbed')) return 'embedding';
  return operation.startsWith('ai.') ? 'chain' : undefined;
}

/** `ai.prompt` is a JSON object `{system?, prompt?, messages?}` on the outer spans. */
function promptOf(value: unknown): { system?: string; messages: ChatMessage[] } {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (!isRecord(parsed)) return { messages: typeof value === 'string' ? parseMessages(value, 'user') : [] };
  const system = typeof parsed.system === 'string' && parsed.system ? parsed.system : undefined;
  if (parsed.messages !== undefined) return { system, messages: parseMessages(parsed.messages, 'user') };
  const messages = typeof parsed.prompt === 'string' ? parseMessages(parsed.prompt, 'user') : [];
  return { system, messages };
}
