import type { NormalizedSpan } from '../otlp/types';
import type { EvaluationRow } from '../data/signals';
import { mapSpan } from '../semconv/map';
import { evaluationsFromSpan } from '../signals/from-spans';
import { spanEvaluationRow } from '../signals/rows';
import type { Redactor } from './redact';

/** The indexed columns of one span, in the order of SPAN_COLUMNS (D1 receives them as JSON arrays). */
export type SpanRow = [
  traceId: string,
  spanId: string,
  parentSpanId: string | null,
  name: string,
  kind: string,
  startMs: number,
  endMs: number,
  status: string,
  service: string | null,
  environment: string | null,
  model: string | null,
  provider: string | null,
  promptVersion: string | null,
  inputTokens: number | null,
  outputTokens: number | null,
  totalTokens: number | null,
  costUsd: number | null,
  sessionId: string | null,
  userId: string | null,
  tags: string,
  isRetry: number,
  inputPreview: string | null,
  outputPreview: string | null,
  payloadKey: string,
  payloadOffset: number,
  payloadLength: number,
  redactions: number,
];

export interface PreparedBatch {
  /** NDJSON of the batch's spans, grouped by trace so one trace's lines form one byte range. */
  payload: Uint8Array;
  rows: SpanRow[];
  /** Evaluation results the spans carried (OTel evaluation events, annotation attributes). */
  evaluations: EvaluationRow[];
  traceIds: string[];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

function num(v: number | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Drops repeats of (trace id, span id) within one request; the first copy wins, as in D1. */
export function dedupeSpans(spans: NormalizedSpan[]): NormalizedSpan[] {
  const seen = new Set<string>();
  return spans.filter((s) => {
    const id = `${s.traceId}:${s.spanId}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Builds the R2 payload and the D1 rows of a batch; pure, so it is tested on plain data. Spans are
 * redacted first, so the payload, the previews and the evaluations read from them are redacted too.
 */
export function prepareBatch(spans: NormalizedSpan[], payloadKey: string, redactor?: Redactor): PreparedBatch {
  const byTrace = new Map<string, { span: NormalizedSpan; redactions: number }[]>();
  for (const original of dedupeSpans(spans)) {
    const r = redactor ? redactor.span(original) : { span: original, redactions: 0 };
    const list = byTrace.get(original.traceId);
    if (list) list.push(r);
    else byTrace.set(original.traceId, [r]);
  }
  const encoder = new TextEncoder();
  const lines: Uint8Array[] = [];
  const rows: SpanRow[] = [];
  const evaluations: EvaluationRow[] = [];
  let offset = 0;
  for (const group of byTrace.values()) {
    for (const { span: s, redactions } of group) {
      const line = encoder.encode(JSON.stringify(s) + '\n');
      const v = mapSpan(s);
      const attr = (k: string) => s.attributes[k] ?? s.resource[k];
      rows.push([
        s.traceId,
        s.spanId,
        s.parentSpanId,
        s.name,
        v.kind,
        Math.round(s.startMs),
        Math.round(s.endMs),
        s.status.code,
        str(s.resource['service.name']) ?? str(s.attributes['service.name']),
        str(attr('deployment.environment.name')) ?? str(attr('deployment.environment')),
        v.model ?? null,
        v.provider ?? null,
        v.promptVersion ?? null,
        num(v.usage.inputTokens),
        num(v.usage.outputTokens),
        num(v.usage.totalTokens ?? sumTokens(v.usage.inputTokens, v.usage.outputTokens)),
        num(v.costUsd),
        v.sessionId ?? v.conversationId ?? null,
        v.userId ?? null,
        JSON.stringify(v.tags),
        v.retryAttempt > 0 ? 1 : 0,
        v.inputPreview ?? null,
        v.outputPreview ?? null,
        payloadKey,
        offset,
        line.byteLength,
        redactions,
      ]);
      evaluations.push(...evaluationsFromSpan(s).map(spanEvaluationRow));
      lines.push(line);
      offset += line.byteLength;
    }
  }
  const payload = new Uint8Array(offset);
  let at = 0;
  for (const l of lines) {
    payload.set(l, at);
    at += l.byteLength;
  }
  return { payload, rows, evaluations, traceIds: [...byTrace.keys()] };
}

function sumTokens(a?: number, b?: number): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}
