import type { NormalizedSpan } from '../otlp/types';
import { mapSpan } from '../semconv/map';
import type { SpanInfo } from '../data/trace-merge';

/** How many characters of a trace's input and output the index keeps for the explorer's list and text search. */
export const INDEX_PREVIEW_CHARS = 200;

export type { SpanInfo };

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function num(v: number | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Clips a preview to what the index keeps (previews are single-line already). */
export function indexPreview(text: string | null | undefined): string | null {
  if (!text) return null;
  return text.length <= INDEX_PREVIEW_CHARS ? text : `${text.slice(0, INDEX_PREVIEW_CHARS - 1).trimEnd()}…`;
}

/** The index fields of one (redacted) span; pure. */
export function spanInfo(s: NormalizedSpan, redactions = 0): SpanInfo {
  const v = mapSpan(s);
  const attr = (k: string) => s.attributes[k] ?? s.resource[k];
  const input = num(v.usage.inputTokens);
  const output = num(v.usage.outputTokens);
  return {
    id: s.spanId,
    parent: s.parentSpanId,
    name: s.name,
    kind: v.kind,
    start: Math.round(s.startMs),
    end: Math.round(s.endMs),
    status: s.status.code,
    service: str(s.resource['service.name']) ?? str(s.attributes['service.name']),
    environment: str(attr('deployment.environment.name')) ?? str(attr('deployment.environment')),
    model: v.model ?? null,
    promptVersion: v.promptVersion ?? null,
    inputTokens: input,
    outputTokens: output,
    totalTokens: num(v.usage.totalTokens) ?? (input === null && output === null ? null : (input ?? 0) + (output ?? 0)),
    cost: num(v.costUsd),
    session: v.sessionId ?? v.conversationId ?? null,
    user: v.userId ?? null,
    tags: v.tags,
    retry: v.retryAttempt > 0,
    inputPreview: indexPreview(v.inputPreview),
    outputPreview: indexPreview(v.outputPreview),
    redactions,
  };
}
