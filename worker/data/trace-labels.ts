import {
  DELETE_LABELS_SQL,
  INSERT_LABELS_SQL,
  LABELS_VERSION,
  PAGE_DELETE_SQL,
  PAGE_DONE_SQL,
  PAGE_INSERT_SQL,
  PAGE_SIZE_SQL,
  START_REBUILD_SQL,
} from '../insights/materialize-sql';
import { ServiceUnavailable } from '../lib/errors';

/**
 * `trace_labels`: the materialized effective labels (see insights/materialize-sql.ts). Writers of
 * annotations and adjudications append `labelRecomputes` to their own D1 batch, so the labels change in
 * the same transaction as the rows they come from. Projects whose rows predate the table (or an older
 * rule) are rebuilt once, on their first insights read, or through `rebuildTraceLabels`.
 */

/** Traces per recompute statement: a few reviews each, so a statement stays well under D1's time limit. */
const TRACES_PER_STATEMENT = 1000;

/** Traces per rebuild page: one D1 batch of about 0.1 s at a few reviews per trace. */
const REBUILD_PAGE = 2000;
/**
 * Pages per call of `rebuildTraceLabels`: one D1 call each, so a call stays within the Workers Free plan's
 * 50 D1 queries per invocation (80,000 reviewed traces); a larger project goes on in the next call.
 */
const REBUILD_PAGES = 40;

/**
 * The statements that recompute the labels of `traceIds` in every scope (DELETE, INSERT per chunk).
 * Idempotent: they read the annotations and adjudications as they are when the batch runs.
 */
export function labelRecomputes(d1: D1Database, projectId: string, traceIds: Iterable<string>): D1PreparedStatement[] {
  const ids = [...new Set(traceIds)];
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += TRACES_PER_STATEMENT) {
    const json = JSON.stringify(ids.slice(i, i + TRACES_PER_STATEMENT));
    out.push(d1.prepare(DELETE_LABELS_SQL).bind(projectId, json), d1.prepare(INSERT_LABELS_SQL).bind(projectId, json));
  }
  return out;
}

export interface RebuildResult {
  /** Traces recomputed by this call. */
  traces: number;
  /** Label rows written by this call. */
  rows: number;
  ms: number;
  /** Every trace is done; false when the call ran out of pages and the next one goes on. */
  done: boolean;
}

/**
 * Recomputes every label of the project, a page of traces per D1 batch (each page is its own transaction,
 * so readers never see a page half done), and records the rule version when the last page is done. Starts
 * a rebuild, or resumes the one under way where it stopped; at most `pages` pages per call. Safe while
 * reviews arrive and when two run at once: the cursor moves in the page's own transaction, and every page
 * and every write recompute from the rows as they are.
 */
export async function rebuildTraceLabels(d1: D1Database, projectId: string, opts: { pages?: number; pageSize?: number } = {}): Promise<RebuildResult> {
  const { pages = REBUILD_PAGES, pageSize = REBUILD_PAGE } = opts;
  const started = Date.now();
  let [traces, rows] = [0, 0];
  const page = [PAGE_SIZE_SQL, PAGE_DELETE_SQL, PAGE_INSERT_SQL].map((sql) => d1.prepare(sql).bind(projectId, pageSize));
  page.push(d1.prepare(PAGE_DONE_SQL).bind(projectId, pageSize, Date.now()));
  for (let i = 0; i < pages; i++) {
    const start = i === 0 ? [d1.prepare(START_REBUILD_SQL).bind(projectId, LABELS_VERSION)] : [];
    const [size, , inserted, done] = (await d1.batch([...start, ...page])).slice(start.length);
    traces += (size.results[0] as { traces: number }).traces;
    rows += inserted.meta.changes ?? 0;
    if ((done.results[0] as { done: number } | undefined)?.done) return { traces, rows, ms: Date.now() - started, done: true };
  }
  return { traces, rows, ms: Date.now() - started, done: false };
}

/** The statement whose single row says whether the project's labels are built by the current rule (`ok` 1). */
export function labelsReady(d1: D1Database, projectId: string): D1PreparedStatement {
  return d1
    .prepare(`SELECT coalesce((SELECT version = ?2 FROM trace_labels_state WHERE project_id = ?1), 0) AS ok`)
    .bind(projectId, LABELS_VERSION);
}

/**
 * Runs `statements` in one batch after checking the project's labels are built; when they are not, builds
 * them first (once per project and rule version) and runs the batch again. A project too large to build
 * within one call answers 503 until a later call has finished it.
 */
export async function batchOverLabels<T = Record<string, unknown>>(d1: D1Database, projectId: string, statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
  const [ready, ...results] = await d1.batch<T>([labelsReady(d1, projectId), ...statements]);
  if ((ready.results[0] as { ok?: number } | undefined)?.ok === 1) return results;
  const built = await rebuildTraceLabels(d1, projectId);
  if (!built.done) throw new ServiceUnavailable(`This project's reviews are being prepared for insights (${built.traces} more traces done); try again in a few seconds.`, 5);
  return d1.batch<T>(statements);
}
