import type { Attributes, AttrValue, StatusCodeName } from '../otlp/types';
import type { TraceSummary } from '../schemas/traces';

/**
 * What a trace looks like to an automation rule: the aggregates of the trace index plus its signals
 * and a bounded digest of its spans' attributes. Plain data, built once per trace and shared by all rules.
 */

/** One evaluator's results on the trace. */
export interface EvalSignal {
  /** The lowest score of any result (null when every result carries only a label), as in `trace_evals`. */
  score: number | null;
  /** Every distinct label of any result. */
  labels: readonly string[];
}

/** End-user feedback counts; ratings normalized to 0..1. */
export interface FeedbackSignal {
  count: number;
  thumbsUp: number;
  thumbsDown: number;
  positive: number;
  neutral: number;
  negative: number;
  minRating: number | null;
  maxRating: number | null;
}

export interface TraceSnapshot {
  traceId: string;
  status: StatusCodeName;
  errorCount: number;
  retryCount: number;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number | null;
  /** The primary model; `models` lists every model of the trace. */
  model: string | null;
  models: readonly string[];
  service: string | null;
  environment: string | null;
  promptVersion: string | null;
  tags: readonly string[];
  sessionId: string | null;
  userId: string | null;
  inputPreview: string | null;
  outputPreview: string | null;
  /** Trace start, epoch ms. */
  startMs: number;
  /** Keyed by evaluator name. A Map, not a record: names are user input and `constructor` is a fine evaluator name. */
  evaluations: ReadonlyMap<string, EvalSignal>;
  feedback: FeedbackSignal;
  /** Attribute key → distinct values over all spans (see SPAN_ATTRIBUTE_LIMITS). */
  spanAttributes: ReadonlyMap<string, readonly string[]>;
}

/**
 * Bounds of `spanAttributes`, so a trace with thousands of spans or huge attribute values (prompts)
 * costs the same to keep and to match as a small one. Values past the limits are dropped; long
 * values are truncated, so `contains` sees only their first `valueLength` characters.
 */
export const SPAN_ATTRIBUTE_LIMITS = { keys: 128, valuesPerKey: 16, valueLength: 256 } as const;

function attrString(v: AttrValue): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > SPAN_ATTRIBUTE_LIMITS.valueLength ? s.slice(0, SPAN_ATTRIBUTE_LIMITS.valueLength) : s;
}

/** Folds the attributes of a trace's spans into the bounded `key → values` digest of a snapshot. */
export function collectSpanAttributes(spans: Iterable<Attributes>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const attrs of spans) {
    for (const key in attrs) {
      let values = out.get(key);
      if (!values) {
        if (out.size >= SPAN_ATTRIBUTE_LIMITS.keys) continue;
        out.set(key, (values = []));
      }
      const v = attrs[key];
      if (v === null || values.length >= SPAN_ATTRIBUTE_LIMITS.valuesPerKey) continue;
      const s = attrString(v);
      if (!values.includes(s)) values.push(s);
    }
  }
  return out;
}

/** Extra inputs of `snapshotFromSummary` beyond the explorer's row. */
export interface SnapshotExtra {
  /** All results of the trace: the summary keeps one label per evaluator, a rule matches any of them. */
  evaluations?: readonly { name: string; score: number | null; label: string | null }[];
  spanAttributes?: ReadonlyMap<string, readonly string[]>;
}

/** The snapshot of a trace as the explorer lists it (`TraceSummary`), plus what the row does not carry. */
export function snapshotFromSummary(t: TraceSummary, extra: SnapshotExtra = {}): TraceSnapshot {
  const evals = new Map<string, { score: number | null; labels: string[] }>();
  for (const s of t.scores) evals.set(s.name, { score: s.score, labels: s.label === null ? [] : [s.label] });
  const summarized = new Set(evals.keys());
  for (const e of extra.evaluations ?? []) {
    let sig = evals.get(e.name);
    if (!sig) evals.set(e.name, (sig = { score: null, labels: [] }));
    // The summary's score already is the minimum; results only fill in evaluators it did not list.
    if (e.score !== null && !summarized.has(e.name)) sig.score = sig.score === null ? e.score : Math.min(sig.score, e.score);
    if (e.label !== null && !sig.labels.includes(e.label)) sig.labels.push(e.label);
  }
  const { count, thumbsUp, thumbsDown, positive, neutral, negative, minRating, maxRating } = t.feedback;
  return {
    traceId: t.traceId,
    status: t.status,
    errorCount: t.errorCount,
    retryCount: t.retryCount,
    durationMs: t.durationMs,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    totalTokens: t.totalTokens,
    costUsd: t.costUsd,
    model: t.model,
    models: t.models,
    service: t.service,
    environment: t.environment,
    promptVersion: t.promptVersion,
    tags: t.tags,
    sessionId: t.sessionId,
    userId: t.userId,
    inputPreview: t.inputPreview,
    outputPreview: t.outputPreview,
    startMs: Date.parse(t.startTime),
    evaluations: evals,
    feedback: { count, thumbsUp, thumbsDown, positive, neutral, negative, minRating, maxRating },
    spanAttributes: extra.spanAttributes ?? new Map(),
  };
}
