import { mergeSpans, traceRow, type SpanInfo, type TraceRowValues, type TraceState } from './trace-merge';
import type { TraceRow } from './trace-index';
import { decodeState, encodeState } from './trace-state';
import { refreshSignalStatements, upsertEvaluationsStatements, type EvaluationRow } from './signals';

/**
 * The write half of the trace index. Per trace D1 keeps one `traces` row (what the explorer reads)
 * and one `trace_spans` row: the ids of its spans (for deduplication), the merge state of its
 * aggregates (trace-merge.ts) and where its bytes are in R2 (one segment per stored object). A
 * batch of spans costs one read and one write per touched trace, whatever the trace's size.
 *
 * Writers do not lock: each trace_spans row carries a random version, a write applies only where
 * the version is still the one it read (the `traces` row follows its trace_spans row in the same
 * statement group), and a trace another writer changed meanwhile is read and merged again.
 */

/** Where a trace's spans of one stored object are: R2 key, byte offset, byte length. */
export type SegmentRef = [key: string, offset: number, length: number];

/** One trace's part of an ingest batch. */
export interface TraceInput {
  traceId: string;
  segment: SegmentRef;
  spans: SpanInfo[];
}

export interface IndexOptions {
  now: number;
  /** The index fields of every span in these segments (read from R2): for traces whose state cannot absorb a batch. */
  loadSpans: (segments: SegmentRef[]) => Promise<SpanInfo[]>;
  /** Traces per transaction: bounds how long one write holds the database. */
  tracesPerWrite?: number;
}

export interface IndexResult {
  /** Traces that got at least one new span. */
  traceIds: string[];
  /** D1's count of rows written (index entries included), for the cost figures. */
  rowsWritten: number;
  /** D1's count of rows read: grows with the batch's spans and traces, never with their product. */
  rowsRead: number;
  /** Write transactions used (each holds the database for a bounded number of traces). */
  transactions: number;
  /** How many traces point into the batch's object (0: every span was a repeat, the object can go). */
  referencing: number;
}

interface Stored {
  ver: number;
  ids: string;
  state: TraceState | null;
  segments: SegmentRef[];
}

/** Rows per read statement; each is a primary-key lookup. */
const READ_CHUNK = 500;
/** Measured on this machine: about 250 traces keep a write transaction well under 100 ms. */
const TRACES_PER_WRITE = 250;
const MAX_ATTEMPTS = 6;
const ID_CHARS = 16;

// 31 bits: a 4-byte integer in SQLite; a clash needs two writers to draw the same value for one trace.
const randomVersion = () => Math.floor(Math.random() * 2 ** 31) + 1;

/** A trace_spans row with its trace row's span-derived columns. */
interface StoredRow extends Omit<TraceRow, 'trace_id' | 'updated_at' | 'scores' | 'thumbs_up' | 'thumbs_down' | 'positive_feedback' | 'neutral_feedback' | 'negative_feedback' | 'min_rating' | 'max_rating' | 'feedback_count' | 'eval_count'> {
  id: string;
  ver: number;
  ids: string;
  state: string | null;
  segments: string;
}

function rowValues(r: StoredRow): TraceRowValues {
  return {
    name: r.name, service: r.service, environment: r.environment, model: r.model,
    models: JSON.parse(r.models) as string[], promptVersion: r.prompt_version, status: r.status, errorCount: r.error_count,
    retryCount: r.retry_count, llmCallCount: r.llm_call_count, spanCount: r.span_count, startMs: r.start_ms, endMs: r.end_ms,
    durationMs: r.duration_ms, inputTokens: r.input_tokens, outputTokens: r.output_tokens, totalTokens: r.total_tokens,
    costUsd: r.cost_usd, sessionId: r.session_id, userId: r.user_id, tags: JSON.parse(r.tags) as string[],
    inputPreview: r.input_preview, outputPreview: r.output_preview, redactions: r.redactions,
  };
}

/** Each trace's stored ids, state (expanded with its row's columns) and segments; absent traces are left out. */
async function readStored(d1: D1Database, projectId: string, traceIds: string[]): Promise<{ stored: Map<string, Stored>; rowsRead: number }> {
  const out = new Map<string, Stored>();
  if (!traceIds.length) return { stored: out, rowsRead: 0 };
  const read = d1.prepare(
    `SELECT ts.trace_id AS id, ts.ver, lower(hex(ts.span_ids)) AS ids, ts.state, ts.segments,
       t.name, t.service, t.environment, t.model, t.models, t.prompt_version, t.status, t.error_count,
       t.retry_count, t.llm_call_count, t.span_count, t.start_ms, t.end_ms, t.duration_ms, t.input_tokens, t.output_tokens,
       t.total_tokens, t.cost_usd, t.session_id, t.user_id, t.tags, t.input_preview, t.output_preview, t.redactions
     FROM json_each(?2) j
     CROSS JOIN trace_spans ts ON ts.project_id = ?1 AND ts.trace_id = j.value
     CROSS JOIN traces t ON t.project_id = ?1 AND t.trace_id = j.value`,
  );
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < traceIds.length; i += READ_CHUNK) statements.push(read.bind(projectId, JSON.stringify(traceIds.slice(i, i + READ_CHUNK))));
  const results = await d1.batch<StoredRow>(statements);
  for (const r of results.flatMap((x) => x.results)) {
    const state = r.state ? decodeState(r.state, rowValues(r)) : null;
    out.set(r.id, { ver: r.ver, ids: r.ids, state, segments: JSON.parse(r.segments) as SegmentRef[] });
  }
  return { stored: out, rowsRead: results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0) };
}

function idSet(ids: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += ID_CHARS) out.add(ids.slice(i, i + ID_CHARS));
  return out;
}

/** A trace ready to write: its new trace_spans values and trace row. */
interface Planned {
  traceId: string;
  prevVer: number | null;
  ver: number;
  ids: string;
  state: TraceState;
  segments: SegmentRef[];
  isNew: boolean;
  startChanged: boolean;
}

async function plan(inputs: TraceInput[], stored: Map<string, Stored>, opts: IndexOptions): Promise<Planned[]> {
  const out: Planned[] = [];
  for (const input of inputs) {
    const old = stored.get(input.traceId);
    const known = old ? idSet(old.ids) : new Set<string>();
    let merged = mergeSpans(old?.state ?? null, known, input.spans);
    if (!merged.added.length) continue;
    if (merged.recompute || (old && !old.state)) {
      // Legacy rows (no state) and stored leaf calls that got a model child: merge the whole span set.
      const all = await opts.loadSpans(old!.segments);
      const redactions = (old?.state?.c[4] ?? 0) + merged.added.reduce((n, s) => n + s.redactions, 0);
      merged = mergeSpans(null, new Set(), [...all, ...merged.added]);
      merged.state.c[4] = redactions;
      for (const s of all) known.add(s.id);
    }
    const ids = (old?.ids ?? '') + merged.added.map((s) => s.id).join('');
    out.push({
      traceId: input.traceId,
      prevVer: old ? old.ver : null,
      ver: randomVersion(),
      ids,
      state: merged.state,
      segments: [...(old?.segments ?? []), input.segment],
      isNew: !old,
      startChanged: !old?.state || old.state.t[0] !== merged.state.t[0],
    });
  }
  return out;
}

export const UPSERT_TRACE_SPANS_SQL = `
INSERT INTO trace_spans (project_id, trace_id, ver, span_ids, state, segments)
SELECT ?1, j.value ->> 0, j.value ->> 2, unhex(j.value ->> 3), j.value ->> 4, j.value ->> 5 FROM json_each(?2) j WHERE true
ON CONFLICT (project_id, trace_id) DO UPDATE SET
  ver = excluded.ver, span_ids = excluded.span_ids, state = excluded.state, segments = excluded.segments
WHERE trace_spans.ver = json_extract(?3, '$."' || excluded.trace_id || '"')
RETURNING trace_id`;

const TRACE_COLUMNS = [
  'name', 'service', 'environment', 'model', 'models', 'prompt_version', 'status', 'error_count', 'retry_count',
  'llm_call_count', 'span_count', 'start_ms', 'end_ms', 'duration_ms', 'input_tokens', 'output_tokens', 'total_tokens', 'cost_usd',
  'session_id', 'user_id', 'tags', 'input_preview', 'output_preview', 'redactions',
] as const;

/** The trace rows of the planned traces whose trace_spans write went through (same version). */
export const UPSERT_TRACES_SQL = `
INSERT INTO traces (project_id, trace_id, ${TRACE_COLUMNS.join(', ')}, updated_at)
SELECT ?1, j.value ->> 0, ${TRACE_COLUMNS.map((_, i) => `j.value ->> ${i + 2}`).join(', ')}, ?3
FROM json_each(?2) j CROSS JOIN trace_spans ts
WHERE ts.project_id = ?1 AND ts.trace_id = j.value ->> 0 AND ts.ver = j.value ->> 1
ON CONFLICT (project_id, trace_id) DO UPDATE SET
  ${TRACE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = excluded.updated_at`;

/** Counts the traces of this write that point into the object (?3: key, ?4: time). */
export const COUNT_PAYLOAD_SQL = `
INSERT INTO payload_objects (project_id, key, traces, created_at)
SELECT ?1, ?3, count(*), ?4 FROM json_each(?2) j CROSS JOIN trace_spans ts
WHERE ts.project_id = ?1 AND ts.trace_id = j.value ->> 0 AND ts.ver = j.value ->> 1
ON CONFLICT (project_id, key) DO UPDATE SET traces = traces + excluded.traces`;

function traceJson(p: Planned): unknown[] {
  const r = traceRow(p.state);
  return [
    p.traceId, p.ver, r.name, r.service, r.environment, r.model, JSON.stringify(r.models), r.promptVersion, r.status,
    r.errorCount, r.retryCount, r.llmCallCount, r.spanCount, r.startMs, r.endMs, r.durationMs, r.inputTokens, r.outputTokens,
    r.totalTokens, r.costUsd, r.sessionId, r.userId, JSON.stringify(r.tags), r.inputPreview, r.outputPreview, r.redactions,
  ];
}

/** Writes one group of planned traces in one transaction; returns the ids whose version check passed. */
async function write(d1: D1Database, projectId: string, key: string, planned: Planned[], now: number): Promise<{ written: Set<string>; rowsWritten: number; rowsRead: number }> {
  const spansJson = JSON.stringify(planned.map((p) => [p.traceId, p.prevVer, p.ver, p.ids, encodeState(p.state, traceRow(p.state)), JSON.stringify(p.segments)]));
  // The version each existing row must still have; a small object SQLite parses once per statement.
  const expected = JSON.stringify(Object.fromEntries(planned.filter((p) => p.prevVer !== null).map((p) => [p.traceId, p.prevVer])));
  const versions = JSON.stringify(planned.map((p) => [p.traceId, p.ver]));
  // Signals stored before their trace, and trace_evals' copy of the start time, need the trace row.
  const refresh = planned.filter((p) => p.isNew || p.startChanged).map((p) => p.traceId);
  const results = await d1.batch<{ trace_id: string }>([
    d1.prepare(UPSERT_TRACE_SPANS_SQL).bind(projectId, spansJson, expected),
    d1.prepare(UPSERT_TRACES_SQL).bind(projectId, JSON.stringify(planned.map(traceJson)), now),
    d1.prepare(COUNT_PAYLOAD_SQL).bind(projectId, versions, key, now),
    ...(refresh.length ? refreshSignalStatements(d1, projectId, refresh) : []),
  ]);
  return {
    written: new Set(results[0].results.map((r) => r.trace_id)),
    rowsWritten: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0),
    rowsRead: results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0),
  };
}

/**
 * Indexes the traces of one stored object (`key`): merges each trace's new spans into its state and
 * writes the trace rows, in transactions of at most `tracesPerWrite` traces, retrying the traces a
 * concurrent writer changed. Evaluations the spans carried are stored afterwards.
 */
export async function indexTraces(
  d1: D1Database,
  projectId: string,
  key: string,
  inputs: TraceInput[],
  evaluations: EvaluationRow[],
  opts: IndexOptions,
): Promise<IndexResult> {
  const perWrite = opts.tracesPerWrite ?? TRACES_PER_WRITE;
  const touched = new Set<string>();
  let rowsWritten = 0;
  let rowsRead = 0;
  let transactions = 0;
  let referencing = 0;
  let pending = inputs;
  for (let attempt = 1; pending.length; attempt++) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`trace index: ${pending.length} traces kept changing under concurrent writes`);
    const { stored, rowsRead: read } = await readStored(d1, projectId, pending.map((t) => t.traceId));
    rowsRead += read;
    const planned = await plan(pending, stored, opts);
    const conflicted = new Set<string>();
    for (let i = 0; i < planned.length; i += perWrite) {
      const group = planned.slice(i, i + perWrite);
      const { written, rowsWritten: rows, rowsRead: groupRead } = await write(d1, projectId, key, group, opts.now);
      rowsWritten += rows;
      rowsRead += groupRead;
      transactions++;
      for (const p of group) {
        if (written.has(p.traceId)) {
          touched.add(p.traceId);
          referencing++;
        } else conflicted.add(p.traceId);
      }
    }
    pending = pending.filter((t) => conflicted.has(t.traceId));
  }
  if (evaluations.length) {
    const results = await d1.batch([
      ...upsertEvaluationsStatements(d1, projectId, evaluations),
      ...refreshSignalStatements(d1, projectId, [...new Set(evaluations.map((e) => e[1]))]),
    ]);
    rowsWritten += results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0);
    rowsRead += results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0);
    transactions++;
  }
  return { traceIds: [...touched], rowsWritten, rowsRead, referencing, transactions };
}

