import type { SpanRow } from '../ingest/rows';
import { BadRequest } from '../lib/errors';
import type { ListTracesQuery, TraceSummary } from '../schemas/traces';
import { INSERT_SPANS_SQL, RECOMPUTE_TRACES_SQL } from './trace-sql';

/**
 * The trace index: every D1 read and write of traces and spans goes through this module, so
 * moving the index elsewhere (sharded D1, R2 + a query engine) touches one place.
 */

/** Rows per INSERT: each JSON parameter stays well under D1's 2 MB value limit. */
const MAX_JSON_PARAM_BYTES = 512 * 1024;

function chunkRows(rows: SpanRow[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (current.length && size + json.length + 1 > MAX_JSON_PARAM_BYTES) {
      chunks.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length) chunks.push(`[${current.join(',')}]`);
  return chunks;
}

/** Inserts spans (first copy wins) and recomputes their traces, in one D1 batch (one transaction). */
export async function indexSpans(d1: D1Database, projectId: string, rows: SpanRow[], traceIds: string[]): Promise<void> {
  if (!rows.length) return;
  const insert = d1.prepare(INSERT_SPANS_SQL);
  const statements = chunkRows(rows).map((json) => insert.bind(projectId, json));
  statements.push(d1.prepare(RECOMPUTE_TRACES_SQL).bind(projectId, JSON.stringify(traceIds)));
  await d1.batch(statements);
}

/** Recomputes trace aggregates from the spans already stored (post-ingest work). */
export async function recomputeTraces(d1: D1Database, projectId: string, traceIds: string[]): Promise<void> {
  if (traceIds.length) await d1.prepare(RECOMPUTE_TRACES_SQL).bind(projectId, JSON.stringify(traceIds)).run();
}

interface TraceRow {
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
  updated_at: number;
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
    updatedAt: iso(r.updated_at),
  };
}

const TRACE_COLUMNS = `trace_id, name, service, environment, model, models, prompt_version, status, error_count,
  retry_count, llm_call_count, span_count, start_ms, end_ms, duration_ms, input_tokens, output_tokens, total_tokens,
  cost_usd, session_id, user_id, tags, input_preview, output_preview, updated_at`;

function encodeCursor(startMs: number, traceId: string): string {
  return btoa(JSON.stringify([startMs, traceId])).replace(/=+$/, '');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the error below
  }
  throw new BadRequest('The cursor is not valid; start again without it.');
}

/**
 * Newest traces first, keyset-paged on (start, trace id), so pages stay correct while new traces
 * arrive: a cursor never skips or repeats a row that existed when it was issued.
 */
export async function listTraces(
  d1: D1Database,
  projectId: string,
  q: ListTracesQuery,
): Promise<{ data: TraceSummary[]; nextCursor: string | null }> {
  const where = ['project_id = ?'];
  const args: unknown[] = [projectId];
  const add = (sql: string, v: unknown) => {
    where.push(sql);
    args.push(v);
  };
  if (q.from !== undefined) add('start_ms >= ?', q.from);
  if (q.to !== undefined) add('start_ms < ?', q.to);
  if (q.service) add('service = ?', q.service);
  if (q.environment) add('environment = ?', q.environment);
  if (q.model) add('EXISTS (SELECT 1 FROM json_each(traces.models) m WHERE m.value = ?)', q.model);
  if (q.status) add('status = ?', q.status);
  if (q.cursor) {
    const [startMs, traceId] = decodeCursor(q.cursor);
    where.push('(start_ms, trace_id) < (?, ?)');
    args.push(startMs, traceId);
  }
  const sql = `SELECT ${TRACE_COLUMNS} FROM traces WHERE ${where.join(' AND ')}
    ORDER BY start_ms DESC, trace_id DESC LIMIT ?`;
  const { results } = await d1.prepare(sql).bind(...args, q.limit + 1).all<TraceRow>();
  const page = results.slice(0, q.limit);
  const last = page[page.length - 1];
  const nextCursor = results.length > q.limit && last ? encodeCursor(last.start_ms, last.trace_id) : null;
  return { data: page.map(toSummary), nextCursor };
}

export async function getTraceSummary(d1: D1Database, projectId: string, traceId: string): Promise<TraceSummary | null> {
  const row = await d1
    .prepare(`SELECT ${TRACE_COLUMNS} FROM traces WHERE project_id = ? AND trace_id = ?`)
    .bind(projectId, traceId)
    .first<TraceRow>();
  return row ? toSummary(row) : null;
}

export interface SpanPointer {
  spanId: string;
  payloadKey: string;
  payloadOffset: number;
  payloadLength: number;
}

/** Where each span of a trace lives in R2, in start order. */
export async function listSpanPointers(d1: D1Database, projectId: string, traceId: string): Promise<SpanPointer[]> {
  const { results } = await d1
    .prepare(
      `SELECT span_id AS spanId, payload_key AS payloadKey, payload_offset AS payloadOffset, payload_length AS payloadLength
       FROM spans WHERE project_id = ? AND trace_id = ? ORDER BY start_ms, span_id`,
    )
    .bind(projectId, traceId)
    .all<SpanPointer>();
  return results;
}
