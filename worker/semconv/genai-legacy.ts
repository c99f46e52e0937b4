import type { NormalizedSpan } from '../otlp/types';
import { asText, count, first, indexedGroups, str, type Bag } from './attrs';
import { contentText, parseMessages } from './messages';
import type { ViewPart } from './part';
import type { ChatMessage, LlmSpanKind, ToolCall } from './types';

// OpenLLMetry's llm.request.type and traceloop.span.kind, for spans without gen_ai.operation.name.
const REQUEST_KINDS = new Map<string, LlmSpanKind>([
  ['chat', 'llm'],
  ['completion', 'llm'],
  ['embedding', 'embedding'],
  ['rerank', 'reranker'],
]);
const TRACELOOP_KINDS = new Map<string, LlmSpanKind>([
  ['workflow', 'chain'],
  ['task', 'chain'],
  ['agent', 'agent'],
  ['tool', 'tool'],
]);

/**
 * GenAI attributes from before the v1.37 rework, still sent by OpenLLMetry/Traceloop and
 * many SDKs: `gen_ai.system`, indexed `gen_ai.prompt.{i}.*` / `gen_ai.completion.{i}.*`,
 * whole-prompt `gen_ai.prompt` / `gen_ai.completion`, and prompt_tokens/completion_tokens.
 */
export function legacyGenAiPart(span: NormalizedSpan, a: Bag): ViewPart {
  const requestType = str(a, 'llm.request.type');
  const traceloopKind = str(a, 'traceloop.span.kind');
  return {
    kind: REQUEST_KINDS.get(requestType ?? '') ?? TRACELOOP_KINDS.get(traceloopKind ?? ''),
    operation: requestType,
    provider: str(a, 'gen_ai.system'),
    usage: {
      inputTokens: count(a, 'gen_ai.usage.prompt_tokens'),
      outputTokens: count(a, 'gen_ai.usage.completion_tokens'),
      totalTokens: count(a, 'llm.usage.total_tokens'),
    },
    inputMessages: messagesOf(span, a, 'gen_ai.prompt', 'gen_ai.content.prompt', 'user'),
    outputMessages: messagesOf(span, a, 'gen_ai.completion', 'gen_ai.content.completion', 'assistant'),
    input: asText(first(a, 'traceloop.entity.input')),
    output: asText(first(a, 'traceloop.entity.output')),
  };
}

/** Indexed attributes first, then the whole-list attribute, then the 2024 `gen_ai.content.*` event. */
function messagesOf(span: NormalizedSpan, a: Bag, key: string, eventName: string, role: string): ChatMessage[] {
  const indexed = indexedGroups(a, `${key}.`).map((group) => indexedMessage(group, role));
  if (indexed.length) return indexed;
  const whole = first(a, key);
  if (whole !== undefined) return parseMessages(whole, role);
  const event = (span.events ?? []).find((e) => e.name === eventName);
  const fromEvent = event?.attributes?.[key];
  return fromEvent !== undefined ? parseMessages(fromEvent, role) : [];
}

function indexedMessage(group: Bag, defaultRole: string): ChatMessage {
  const message: ChatMessage = {
    role: str(group, 'role') ?? defaultRole,
    content: contentText(first(group, 'content')) ?? '',
  };
  const toolCalls = indexedGroups(group, 'tool_calls.').map((call): ToolCall => {
    const out: ToolCall = { name: str(call, 'name') ?? '' };
    const id = str(call, 'id');
    if (id) out.id = id;
    const args = asText(first(call, 'arguments'));
    if (args !== undefined) out.arguments = args;
    return out;
  });
  if (toolCalls.length) message.toolCalls = toolCalls;
  const toolCallId = str(group, 'tool_call_id');
  if (toolCallId) message.toolCallId = toolCallId;
  const finishReason = str(group, 'finish_reason');
  if (finishReason) message.finishReason = finishReason;
  return message;
}
