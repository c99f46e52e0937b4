/** Sieve's classification of a span, from GenAI semconv and OpenInference span kinds. */
export type LlmSpanKind =
  | 'llm'
  | 'embedding'
  | 'tool'
  | 'agent'
  | 'chain'
  | 'retriever'
  | 'reranker'
  | 'guardrail'
  | 'evaluator'
  | 'span';

export interface ToolCall {
  id?: string;
  name: string;
  /** Arguments as the model produced them (usually a JSON string). */
  arguments?: string;
}

export interface ChatMessage {
  role: string;
  /** Text content; multi-part content is joined with blank lines. */
  content: string;
  name?: string;
  toolCalls?: ToolCall[];
  /** For role `tool`: which call this message answers. */
  toolCallId?: string;
  finishReason?: string;
}

export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** What an LLM-observability user wants to see of one span, whatever convention the sender used. */
export interface LlmView {
  kind: LlmSpanKind;
  operation?: string;
  provider?: string;
  requestModel?: string;
  responseModel?: string;
  /** responseModel ?? requestModel */
  model?: string;
  usage: Usage;
  costUsd?: number;
  systemInstructions?: string;
  inputMessages: ChatMessage[];
  outputMessages: ChatMessage[];
  /** Plain input/output when the span has no chat messages (chains, tools, retrievers). */
  input?: string;
  output?: string;
  /** Tool calls the model requested in its output. */
  toolCalls: ToolCall[];
  /** For tool spans: the tool that ran. */
  tool?: { name: string; callId?: string; description?: string; arguments?: string; result?: string };
  sessionId?: string;
  conversationId?: string;
  userId?: string;
  tags: string[];
  promptVersion?: string;
  promptTemplate?: string;
  agent?: { name?: string; id?: string };
  /** > 0 when the sender marked this span as a retry of an earlier attempt. */
  retryAttempt: number;
  /** Short one-line previews for lists (at most PREVIEW_CHARS characters). */
  inputPreview?: string;
  outputPreview?: string;
}

export const PREVIEW_CHARS = 500;
