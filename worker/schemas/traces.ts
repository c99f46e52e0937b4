import { z } from 'zod';
import type { LlmView } from '../semconv/types';
import type { Attributes, SpanKindName, StatusCodeName } from '../otlp/types';
import { TimeInput } from './common';

export const TraceStatus = z.enum(['unset', 'ok', 'error']);

export const ListTracesQuery = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  from: TimeInput.optional(),
  to: TimeInput.optional(),
  service: z.string().max(256).optional(),
  environment: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
  status: TraceStatus.optional(),
});
export type ListTracesQuery = z.infer<typeof ListTracesQuery>;

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
  updatedAt: string;
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
  /** Ordered by start time. */
  spans: SpanDetail[];
}
