import type { NormalizedSpan } from '../otlp/types';
import { asText, bagOf, count, first, isRecord, parseJson, str, type Bag } from './attrs';
import { contentText, parseMessages, toMessage } from './messages';
import type { ViewPart } from './part';
import type { ChatMessage, LlmSpanKind } from './types';

// A Map, not an object literal: an operation named "constructor" must not find Object's.
const OPERATION_KINDS = new Map<string, LlmSpanKind>([
  ['chat', 'llm'],
  ['text_completion', 'llm'],
  ['generate_content', 'llm'],
  ['embeddings', 'embedding'],
  ['execute_tool', 'tool'],
  ['invoke_agent', 'agent'],
  ['create_agent', 'agent'],
]);

const EVENT_ROLES = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);

/**
 * OpenTelemetry GenAI semantic conventions as they stand (v1.37+): messages as
 * `gen_ai.input.messages`/`gen_ai.output.messages`, or the earlier per-message span events.
 */
export function genAiPart(span: NormalizedSpan, a: Bag): ViewPart {
  const operation = str(a, 'gen_ai.operation.name');
  const events = eventMessages(span.events ?? []);
  const input = first(a, 'gen_ai.input.messages');
  const output = first(a, 'gen_ai.output.messages');
  const agentName = str(a, 'gen_ai.agent.name');
  const agentId = str(a, 'gen_ai.agent.id');
  const toolName = str(a, 'gen_ai.tool.name');
  return {
    kind: operation ? OPERATION_KINDS.get(operation) : undefined,
    operation,
    provider: str(a, 'gen_ai.provider.name'),
    requestModel: str(a, 'gen_ai.request.model'),
    responseModel: str(a, 'gen_ai.response.model'),
    usage: {
      inputTokens: count(a, 'gen_ai.usage.input_tokens'),
      outputTokens: count(a, 'gen_ai.usage.output_tokens'),
      totalTokens: count(a, 'gen_ai.usage.total_tokens'),
      cacheReadTokens: count(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens'),
      cacheWriteTokens: count(
        a,
        'gen_ai.usage.cache_creation.input_tokens',
        'gen_ai.usage.cache_creation_input_tokens',
      ),
      reasoningTokens: count(a, 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens'),
    },
    systemInstructions: instructionsText(first(a, 'gen_ai.system_instructions')),
    inputMessages: input !== undefined ? parseMessages(input, 'user') : events.input,
    outputMessages: output !== undefined ? parseMessages(output, 'assistant') : events.output,
    tool: toolName
      ? {
          name: toolName,
          callId: str(a, 'gen_ai.tool.call.id'),
          description: str(a, 'gen_ai.tool.description'),
          arguments: asText(first(a, 'gen_ai.tool.call.arguments')),
          result: asText(first(a, 'gen_ai.tool.call.result')),
        }
      : undefined,
    conversationId: str(a, 'gen_ai.conversation.id'),
    agent: agentName || agentId ? { name: agentName, id: agentId } : undefined,
  };
}

/** System instructions are a string or a list of parts, possibly JSON-encoded. */
function instructionsText(value: unknown): string | undefined {
  const parsed = typeof value === 'string' && /^\s*[[{]/.test(value) ? (parseJson(value) ?? value) : value;
  const text = contentText(parsed);
  return text === '' ? undefined : text;
}

/** The per-event form: one span event per message, the body fields as event attributes. */
function eventMessages(events: NormalizedSpan['events']): { input: ChatMessage[]; output: ChatMessage[] } {
  const input: ChatMessage[] = [];
  const output: ChatMessage[] = [];
  for (const event of events) {
    const role = EVENT_ROLES.get(event.name);
    if (role) {
      const body = eventBody(event.attributes);
      input.push(toMessage({ ...body, tool_call_id: body.tool_call_id ?? body.id }, role));
    } else if (event.name === 'gen_ai.choice') {
      output.push(choiceMessage(eventBody(event.attributes)));
    }
  }
  return { input, output };
}

// Some SDKs put the whole event body, JSON-encoded, in one attribute instead of one attribute per field.
function eventBody(attributes: unknown): Record<string, unknown> {
  const bag = bagOf(attributes);
  const packed = bag.get('gen_ai.event.content');
  const parsed = typeof packed === 'string' ? parseJson(packed) : packed;
  return isRecord(parsed) ? parsed : Object.fromEntries(bag);
}

function choiceMessage(body: Record<string, unknown>): ChatMessage {
  const raw = typeof body.message === 'string' ? (parseJson(body.message) ?? { content: body.message }) : body.message;
  const message = toMessage(isRecord(raw) ? raw : body, 'assistant');
  const finishReason = typeof body.finish_reason === 'string' ? body.finish_reason : undefined;
  return finishReason ? { ...message, finishReason } : message;
}
