import type { TraceFilter } from '../schemas/filters';
import type { TraceSummary } from '../schemas/traces';
import { compileScanBoundary, compileTraceQuery, encodeCursor, TEXT_SCAN_ROWS, type PageOptions } from './trace-query';
import type { SegmentRef } from './trace-write';

/**
 * The read half of the trace index (trace-write.ts is the write half): every D1 read of traces
 * goes through these two modules, so moving the index elsewhere touches one place.
 */

export interface TraceRow {
  trace_id: string;
  name: string;
  service: string | null;
  environment: string | null;
  model: string | null;
  models: string;
  prompt_version: string | null;
  status: TraceSummary['status'];
  error_count: number;
  retry_count: number;
  llm_call_count: number;
  span_count: number;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number | null;
  session_id: string | null;
  user_id: string | null;
  tags: string;
  input_preview: string | null;
  output_preview: string | null;
  redactions: number;
  updated_at: number;
  thumbs_up: number;
  thumbs_down: number;
  positive_feedback: number;
  neutral_feedback: number;
  negative_feedback: number;
  min_rating: number | null;
  max_rating: number | null;
  feedback_count: number;
  eval_count: number;
  scores: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function toSummary(r: TraceRow): TraceSummary {
  return {
    traceId: r.trace_id,
    name: r.name,
    service: r.service,
    environment: r.environment,
    model: r.model,
    models: JSON.parse(r.models) as string[],
    promptVersion: r.prompt_version,
    status: r.status,
    errorCount: r.error_count,
    retryCount: r.retry_count,
    llmCallCount: r.llm_call_count,
    spanCount: r.span_count,
    startTime: iso(r.start_ms),
    endTime: iso(r.end_ms),
    durationMs: r.duration_ms,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    totalTokens: r.total_tokens,
    costUsd: r.cost_usd,
    sessionId: r.session_id,
    userId: r.user_id,
    tags: JSON.parse(r.tags) as string[],
    inputPreview: r.input_preview,
    outputPreview: r.output_preview,
    redactions: r.redactions,
    updatedAt: iso(r.updated_at),
    scores: (JSON.parse(r.scores) as TraceSummary['scores']).sort((a, b) => a.name.localeCompare(b.name)),
    feedback: {
      count: r.feedback_count,
      thumbsUp: r.thumbs_up,
      thumbsDown: r.thumbs_down,
      positive: r.positive_feedback,
      neutral: r.neutral_feedback,
      negative: r.negative_feedback,
      minRating: r.min_rating,
      maxRating: r.max_rating,
    },
    evalCount: r.eval_count,
  };
}

const TRACE_FIELDS = [
  'trace_id', 'name', 'service', 'environment', 'model', 'models', 'prompt_version', 'status', 'error_count',
  'retry_count', 'llm_call_count', 'span_count', 'start_ms', 'end_ms', 'duration_ms', 'input_tokens', 'output_tokens',
  'total_tokens', 'cost_usd', 'session_id', 'user_id', 'tags', 'input_preview', 'output_preview', 'updated_at',
  'thumbs_up', 'thumbs_down', 'positive_feedback', 'neutral_feedback', 'negative_feedback', 'min_rating',
  'max_rating', 'feedback_count', 'eval_count', 'redactions',
];
/** The evaluators' trace-level scores, as JSON, beside each row. */
const SCORES = `(SELECT json_group_array(json_object('name', x.name, 'score', x.score, 'label', x.label))
  FROM trace_evals x WHERE x.project_id = t.project_id AND x.trace_id = t.trace_id) AS scores`;
/** The columns of a trace list row; exported so tests explain the plan of the real query. */
export const TRACE_COLUMNS_T = [...TRACE_FIELDS.map((f) => `t.${f}`), SCORES].join(', ');

/**
 * One page of traces matching `filter`, keyset-paged on (sort key, trace id), so pages stay
 * correct while new traces arrive: a cursor never skips or repeats a row that existed when issued.
 * A `text` search looks at `textScanRows` rows at most; when that window ends before the page is
 * full, the answer is `partial` and `nextCursor` continues after the window.
 */
export async function listTraces(
  d1: D1Database,
  projectId: string,
  filter: TraceFilter,
  page: PageOptions,
): Promise<{ data: TraceSummary[]; nextCursor: string | null; partial: boolean }> {
  const window = compileScanBoundary(projectId, filter, page, page.textScanRows ?? TEXT_SCAN_ROWS);
  const edge = window ? await d1.prepare(window.sql).bind(...window.args).first<{ k: number; id: string }>() : null;
  const bound: [number, string] | undefined = edge ? [edge.k, edge.id] : undefined;
  const q = compileTraceQuery(projectId, filter, page, TRACE_COLUMNS_T, bound);
  const { results } = await d1.prepare(q.sql).bind(...q.args).all<TraceRow & { sort_key: number }>();
  const rows = results.slice(0, page.limit);
  const last = rows[rows.length - 1];
  if (results.length > page.limit && last) return { data: rows.map(toSummary), nextCursor: encodeCursor(last.sort_key, last.trace_id), partial: false };
  return { data: rows.map(toSummary), nextCursor: bound ? encodeCursor(bound[0], bound[1]) : null, partial: !!bound };
}

export async function getTraceSummary(d1: D1Database, projectId: string, traceId: string): Promise<TraceSummary | null> {
  const row = await d1
    .prepare(`SELECT ${TRACE_COLUMNS_T} FROM traces t WHERE t.project_id = ? AND t.trace_id = ?`)
    .bind(projectId, traceId)
    .first<TraceRow>();
  return row ? toSummary(row) : null;
}

/** Where the spans of a trace are in R2 (one segment per stored object), or [] for an unknown trace. */
export async function listSegments(d1: D1Database, projectId: string, traceId: string): Promise<SegmentRef[]> {
  const row = await d1
    .prepare('SELECT segments FROM trace_spans WHERE project_id = ? AND trace_id = ?')
    .bind(projectId, traceId)
    .first<{ segments: string }>();
  return row ? (JSON.parse(row.segments) as SegmentRef[]) : [];
}

/** Which of `traceIds` exist in the project (for adding traces to annotation queues). */
export async function existingTraceIds(d1: D1Database, projectId: string, traceIds: string[]): Promise<Set<string>> {
  if (!traceIds.length) return new Set();
  const { results } = await d1
    .prepare(`SELECT t.trace_id FROM traces t JOIN json_each(?) j ON t.project_id = ? AND t.trace_id = j.value`)
    .bind(JSON.stringify(traceIds), projectId)
    .all<{ trace_id: string }>();
  return new Set(results.map((r) => r.trace_id));
}

/** The summaries of the given traces (any order); unknown ids are left out. */
export async function getSummaries(d1: D1Database, projectId: string, traceIds: string[]): Promise<TraceSummary[]> {
  if (!traceIds.length) return [];
  const { results } = await d1
    .prepare(`SELECT ${TRACE_COLUMNS_T} FROM traces t JOIN json_each(?2) j ON t.project_id = ?1 AND t.trace_id = j.value`)
    .bind(projectId, JSON.stringify(traceIds))
    .all<TraceRow>();
  return results.map(toSummary);
}

/**
 * How many traces of the project start in [from, to), counting at most `cap` (an index range walk
 * on traces_project_start that stops there), so a caller can say "N of M" or "N of at least M".
 */
export async function countTracesInRange(d1: D1Database, projectId: string, range: { from: number; to: number }, cap: number): Promise<number> {
  const row = await d1
    .prepare('SELECT count(*) AS n FROM (SELECT 1 FROM traces WHERE project_id = ? AND start_ms >= ? AND start_ms < ? LIMIT ?)')
    .bind(projectId, range.from, range.to, cap)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
