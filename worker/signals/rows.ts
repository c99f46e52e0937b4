import type { EvaluationRow, FeedbackRow } from '../data/signal-rows';
import type { EvaluationItem, FeedbackItem } from '../schemas/signals';
import type { SpanEvaluation } from './from-spans';

/** Stored evaluations use '' for "whole trace" and "no version", so the natural key is unique in SQL. */
export function evaluationRow(e: EvaluationItem, now: number): EvaluationRow {
  return [
    crypto.randomUUID(),
    e.traceId,
    e.spanId ?? '',
    e.name,
    e.evaluatorVersion ?? '',
    e.evaluatorKind,
    e.score ?? null,
    e.label ?? null,
    e.explanation ?? null,
    'api',
    e.id ?? null,
    e.timestamp ?? now,
  ];
}

export function spanEvaluationRow(e: SpanEvaluation): EvaluationRow {
  return [crypto.randomUUID(), e.traceId, e.spanId, e.name, e.evaluatorVersion, e.evaluatorKind, e.score, e.label, e.explanation, 'otel', null, e.timestampMs];
}

/** Thumbs normalize to 1 (up) / 0 (down); ratings to value ÷ scale, so filters compare across scales. */
export function feedbackRow(f: FeedbackItem, now: number): FeedbackRow {
  const thumbs = f.kind === 'thumbs' ? (f.value as 'up' | 'down') : null;
  const rating = f.kind === 'rating' ? (f.value as number) : null;
  const normalized = thumbs ? (thumbs === 'up' ? 1 : 0) : (rating as number) / (f.scale ?? 1);
  return [
    crypto.randomUUID(),
    f.traceId,
    f.kind,
    thumbs,
    rating,
    f.scale ?? null,
    normalized,
    f.comment ?? null,
    f.sentiment ?? null,
    f.endUserId ?? null,
    f.id ?? null,
    f.timestamp ?? now,
  ];
}
