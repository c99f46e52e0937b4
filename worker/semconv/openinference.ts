import { asText, first, count, indexedGroups, parseJson, str, type Bag } from './attrs';
import { contentText } from './messages';
import type { ViewPart } from './part';
import type { ChatMessage, LlmSpanKind, ToolCall } from './types';

const SPAN_KINDS = new Map<string, LlmSpanKind>([
  ['LLM', 'llm'],
  ['EMBEDDING', 'embedding'],
  ['CHAIN', 'chain'],
  ['TOOL', 'tool'],
  ['AGENT', 'agent'],
  ['RETRIEVER', 'retriever'],
  ['RERANKER', 'reranker'],
  ['GUARDRAIL', 'guardrail'],
  ['EVALUATOR', 'evaluator'],
]);

/** OpenInference (Arize Phoenix and its instrumentations): flattened `llm.*`, `input.value`, `tool.*`. */
export function openInferencePart(a: Bag): ViewPart {
  const kind = SPAN_KINDS.get(str(a, 'openinference.span.kind')?.toUpperCase() ?? '');
  const input = plainValue(a, 'input');
  const output = plainValue(a, 'output');
  const toolName = str(a, 'tool.name', 'tool_call.function.name');
  const isTool = kind === 'tool';
  const agentName = str(a, 'agent.name');
  return {
    kind,
    provider: str(a, 'llm.provider', 'llm.system'),
    requestModel: str(a, 'llm.request.model_name', 'llm.model_name', 'embedding.model_name', 'reranker.model_name'),
    responseModel: str(a, 'llm.response.model_name'),
    usage: {
      inputTokens: count(a, 'llm.token_count.prompt'),
      outputTokens: count(a, 'llm.token_count.completion'),
      totalTokens: count(a, 'llm.token_count.total'),
      cacheReadTokens: count(a, 'llm.token_count.prompt_details.cache_read'),
      cacheWriteTokens: count(a, 'llm.token_count.prompt_details.cache_write'),
      reasoningTokens: count(a, 'llm.token_count.completion_details.reasoning'),
    },
    inputMessages: messages(a, 'llm.input_messages.', 'user', 'llm.prompts.', 'prompt.text'),
    outputMessages: messages(a, 'llm.output_messages.', 'assistant', 'llm.choices.', 'completion.text'),
    input,
    output,
    // tool.parameters is the tool's parameter schema, not the call's arguments, so it is not used here.
    tool: toolName
      ? {
          name: toolName,
          callId: str(a, 'tool_call.id', 'tool.id'),
          description: str(a, 'tool.description'),
          arguments: asText(first(a, 'tool_call.function.arguments')) ?? (isTool ? input : undefined),
          result: isTool ? output : undefined,
        }
      : undefined,
    agent: agentName ? { name: agentName } : undefined,
    promptTemplate: str(a, 'llm.prompt_template.template'),
  };
}

/** `input.value`/`output.value`; a JSON-encoded plain string (mime type JSON) is unwrapped. */
function plainValue(a: Bag, prefix: 'input' | 'output'): string | undefined {
  const text = asText(first(a, `${prefix}.value`));
  if (text === undefined || !str(a, `${prefix}.mime_type`)?.includes('json')) return text;
  const parsed = parseJson(text);
  return typeof parsed === 'string' ? parsed : text;
}

function messages(a: Bag, prefix: string, role: string, textPrefix: string, textKey: string): ChatMessage[] {
  const list = indexedGroups(a, prefix).map((group) => flattenedMessage(group, role));
  if (list.length) return list;
  // The completions API (not chat) is recorded as llm.prompts / llm.choices.
  return indexedGroups(a, textPrefix).map((group) => ({ role, content: str(group, textKey) ?? '' }));
}

function flattenedMessage(group: Bag, defaultRole: string): ChatMessage {
  const parts = indexedGroups(group, 'message.contents.').map(contentPart).filter((t) => t !== '');
  const message: ChatMessage = {
    role: str(group, 'message.role') ?? defaultRole,
    content: contentText(first(group, 'message.content')) || parts.join('\n\n'),
  };
  const name = str(group, 'message.name');
  if (name) message.name = name;
  const toolCallId = str(group, 'message.tool_call_id');
  if (toolCallId) message.toolCallId = toolCallId;
  const toolCalls = indexedGroups(group, 'message.tool_calls.').map((call) =>
    toolCall(
      str(call, 'tool_call.id'),
      str(call, 'tool_call.function.name'),
      first(call, 'tool_call.function.arguments'),
    ),
  );
  // Older instrumentations record a single OpenAI function call instead of tool_calls.
  const functionName = str(group, 'message.function_call_name');
  if (functionName) {
    toolCalls.push(toolCall(undefined, functionName, first(group, 'message.function_call_arguments_json')));
  }
  if (toolCalls.length) message.toolCalls = toolCalls;
  const finishReason = str(group, 'message.finish_reason');
  if (finishReason) message.finishReason = finishReason;
  return message;
}

function contentPart(part: Bag): string {
  const type = str(part, 'message_content.type') ?? 'text';
  if (type === 'reasoning') return '';
  return str(part, 'message_content.text') ?? (type === 'text' ? '' : `[${type}]`);
}

function toolCall(id: string | undefined, name: string | undefined, args: unknown): ToolCall {
  const call: ToolCall = { name: name ?? '' };
  if (id) call.id = id;
  const text = asText(args);
  if (text !== undefined) call.arguments = text;
  return call;
}
