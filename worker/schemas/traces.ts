import { z } from 'zod';
import type { LlmView } from '../semconv/types';
import type { Attributes, SpanKindName, StatusCodeName } from '../otlp/types';
import type { EvaluationResponse, FeedbackResponse } from './signals';

export const TraceIdParam = z.object({ traceId: z.string().regex(/^[0-9a-f]{32}$/i, 'a trace id is 32 hex characters') });

/** One row of the trace list. */
export interface TraceSummary {
  traceId: string;
  name: string;
  service: string | null;
  environment: string | null;
  model: string | null;
  models: string[];
  promptVersion: string | null;
  status: StatusCodeName;
  errorCount: number;
  retryCount: number;
  llmCallCount: number;
  spanCount: number;
  startTime: string;
  endTime: string;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number | null;
  sessionId: string | null;
  userId: string | null;
  tags: string[];
  inputPreview: string | null;
  outputPreview: string | null;
  /** Values replaced or attributes dropped by the project's redaction rules when the spans arrived. */
  redactions: number;
  updatedAt: string;
  /** Per evaluator: the trace's lowest score and its label. */
  scores: { name: string; score: number | null; label: string | null }[];
  /** Counts of end-user feedback; ratings normalized to 0..1. */
  feedback: {
    count: number;
    thumbsUp: number;
    thumbsDown: number;
    positive: number;
    neutral: number;
    negative: number;
    minRating: number | null;
    maxRating: number | null;
  };
  evalCount: number;
}

/** One span of `GET /api/v1/traces/:traceId`, with the GenAI/OpenInference reading of it in `llm`. */
export interface SpanDetail {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKindName;
  startTime: string;
  endTime: string;
  durationMs: number;
  status: { code: StatusCodeName; message?: string };
  attributes: Attributes;
  events: { time: string; name: string; attributes: Attributes }[];
  links: { traceId: string; spanId: string; attributes: Attributes }[];
  resource: Attributes;
  scope: { name: string; version?: string };
  llm: LlmView;
}

export interface TraceDetailResponse {
  trace: TraceSummary;
  evaluations: EvaluationResponse[];
  feedback: FeedbackResponse[];
  /** Ordered by start time. */
  spans: SpanDetail[];
}
