import { BadRequest } from '../lib/errors';
import { TEXT_SCAN_ROWS, type EvalCondition, type TraceFilter, type TraceSort } from '../schemas/filters';

export { TEXT_SCAN_ROWS };

/**
 * Compiles a trace filter into one SQL query over the trace index. Pure (no I/O), so the plans it
 * produces are checked in tests with EXPLAIN QUERY PLAN.
 *
 * Shape of the plan: when the filter needs an evaluator's result and the list is in time order, the
 * query is driven by `trace_evals` (index on evaluator name + trace start), otherwise by `traces`
 * through the index that matches the sort; every other condition is checked row by row along that
 * index, and keyset paging stops after `limit` rows. Partial indexes cover the sparse conditions
 * (errors, retries, any feedback, thumbs-down, negative sentiment) so their pages never walk the
 * whole table. test/worker/data/trace-query-plan.test.ts lists the index each filter uses.
 */

export interface PageOptions {
  cursor?: string;
  limit: number;
  sort: TraceSort;
  order: 'asc' | 'desc';
  sortEval?: string;
  /** Rows a `text` search may look at per page (TEXT_SCAN_ROWS unless a caller or test says otherwise). */
  textScanRows?: number;
}


export interface CompiledQuery {
  sql: string;
  args: unknown[];
  /** Reads the sort key of a result row, for the next cursor. */
  sortKeyColumn: string;
}

const SORT_COLUMN: Record<Exclude<TraceSort, 'score'>, string> = {
  time: 't.start_ms',
  duration: 't.duration_ms',
  cost: 't.cost_usd',
  tokens: 't.total_tokens',
};

export function encodeCursor(value: number, traceId: string): string {
  return btoa(JSON.stringify([value, traceId])).replace(/=+$/, '');
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const v = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // reported below
  }
  throw new BadRequest('The cursor is not valid; start again without it.');
}

/** The condition needs the trace to have a result of the evaluator. */
function present(c: EvalCondition): boolean {
  return !c.missing;
}

function scoreBounded(c: EvalCondition): boolean {
  return present(c) && (c.minScore !== undefined || c.maxScore !== undefined);
}

/**
 * For a `text` search driven by `traces` (no evaluator drives it): the query that finds the last row
 * of the scan window, `rows` entries along the sort index after the cursor. `null` when there is no
 * text condition or an evaluator's index drives the query (not bounded; see README, Work budgets).
 */
export function compileScanBoundary(projectId: string, f: TraceFilter, page: PageOptions, rows: number): { sql: string; args: unknown[] } | null {
  if (!f.text || page.sort === 'score') return null;
  const drivenByEvals = page.sort === 'time' && f.evals?.some(present);
  // A narrower index drives these (see the plan test): the window would count rows the query never reads.
  const narrower = f.sessionId || f.userId || f.promptVersion || f.hasError || f.status === 'error' || f.minRetries || (f.feedback && Object.values(f.feedback).some((v) => v !== undefined));
  if (drivenByEvals || (page.sort === 'time' && narrower)) return null;
  const key = SORT_COLUMN[page.sort];
  const where = ['t.project_id = ?'];
  const args: unknown[] = [projectId];
  // The time range is a range of the time index; for other sorts it is checked per row inside the window.
  if (page.sort === 'time' && f.from !== undefined) (where.push('t.start_ms >= ?'), args.push(f.from));
  if (page.sort === 'time' && f.to !== undefined) (where.push('t.start_ms < ?'), args.push(f.to));
  if (page.sort === 'cost') where.push('t.cost_usd IS NOT NULL');
  if (page.cursor) {
    const [value, traceId] = decodeCursor(page.cursor);
    where.push(`(${key}, t.trace_id) ${page.order === 'asc' ? '>' : '<'} (?, ?)`);
    args.push(value, traceId);
  }
  const dir = page.order === 'asc' ? 'ASC' : 'DESC';
  args.push(rows - 1);
  return { sql: `SELECT ${key} AS k, t.trace_id AS id FROM traces t WHERE ${where.join(' AND ')} ORDER BY ${key} ${dir}, t.trace_id ${dir} LIMIT 1 OFFSET ?`, args };
}

/**
 * `bound`: the last row of a text search's scan window (from compileScanBoundary); rows past it are
 * left for the next request.
 */
export function compileTraceQuery(projectId: string, f: TraceFilter, page: PageOptions, columns: string, bound?: [number, string]): CompiledQuery {
  const where: string[] = [];
  const args: unknown[] = [];
  const cond = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    args.push(...values);
  };

  const sortEval = page.sort === 'score' ? (page.sortEval ?? f.evals?.find(present)?.name) : undefined;
  if (page.sort === 'score' && !sortEval) throw new BadRequest('sort=score needs an evaluator: add eval=<name>:… or sortEval=<name>.');
  // In time order any condition that needs a result of an evaluator can drive the query along
  // trace_evals_time; one that bounds the score is preferred, as it skips the most rows.
  const driver = sortEval
    ? f.evals?.find((e) => e.name === sortEval && present(e)) ?? { name: sortEval }
    : page.sort === 'time'
      ? (f.evals?.find(scoreBounded) ?? f.evals?.find(present))
      : undefined;

  let from: string;
  if (driver) {
    from = 'trace_evals te CROSS JOIN traces t';
    cond('te.project_id = ?', projectId);
    cond('te.name = ?', driver.name);
    cond('t.project_id = te.project_id AND t.trace_id = te.trace_id');
    if (driver.minScore !== undefined) cond('te.score >= ?', driver.minScore);
    if (driver.maxScore !== undefined) cond('te.score < ?', driver.maxScore);
    if (page.sort === 'time') {
      if (f.from !== undefined) cond('te.start_ms >= ?', f.from);
      if (f.to !== undefined) cond('te.start_ms < ?', f.to);
    }
  } else {
    from = 'traces t';
    cond('t.project_id = ?', projectId);
  }

  filterConditions(f, driver, cond);

  if (sortEval) cond('te.score IS NOT NULL');
  if (page.sort === 'cost') cond('t.cost_usd IS NOT NULL');
  const key = sortEval ? 'te.score' : page.sort === 'time' && driver ? 'te.start_ms' : SORT_COLUMN[page.sort as Exclude<TraceSort, 'score'>];
  const idKey = driver ? 'te.trace_id' : 't.trace_id';
  const dir = page.order === 'asc' ? 'ASC' : 'DESC';
  if (page.cursor) {
    const [value, traceId] = decodeCursor(page.cursor);
    cond(`(${key}, ${idKey}) ${page.order === 'asc' ? '>' : '<'} (?, ?)`, value, traceId);
  }
  if (bound) cond(`(${key}, ${idKey}) ${page.order === 'asc' ? '<=' : '>='} (?, ?)`, bound[0], bound[1]);
  const sql = `SELECT ${columns}, ${key} AS sort_key FROM ${from} WHERE ${where.join(' AND ')}
    ORDER BY ${key} ${dir}, ${idKey} ${dir} LIMIT ?`;
  args.push(page.limit + 1);
  return { sql, args, sortKeyColumn: 'sort_key' };
}

type Cond = (sql: string, ...values: unknown[]) => void;

/**
 * Every condition of the filter over `traces t`, except `driver` (already applied by the caller's FROM).
 * Its `label` is still checked against `te`, the driving `trace_evals` row.
 */
function filterConditions(f: TraceFilter, driver: EvalCondition | { name: string } | undefined, cond: Cond): void {
  if (f.from !== undefined) cond('t.start_ms >= ?', f.from);
  if (f.to !== undefined) cond('t.start_ms < ?', f.to);
  if (f.service) cond('t.service = ?', f.service);
  if (f.environment) cond('t.environment = ?', f.environment);
  if (f.model) {
    // `models` is a JSON array; a substring test first skips the json_each walk for the many traces that
    // cannot match. Only for names JSON stores verbatim (no quote, backslash or control character).
    if (/^[^"\\\u0000-\u001f]+$/.test(f.model)) {
      cond('(t.model = ? OR (instr(t.models, ?) > 0 AND EXISTS (SELECT 1 FROM json_each(t.models) m WHERE m.value = ?)))', f.model, `"${f.model}"`, f.model);
    } else cond('(t.model = ? OR EXISTS (SELECT 1 FROM json_each(t.models) m WHERE m.value = ?))', f.model, f.model);
  }
  if (f.promptVersion) cond('t.prompt_version = ?', f.promptVersion);
  if (f.status) cond('t.status = ?', f.status);
  // Implied by status 'error' (see RECOMPUTE_TRACES_SQL); lets the planner use the partial index traces_errors.
  if (f.status === 'error') cond('t.error_count > 0');
  if (f.hasError === true) cond('t.error_count > 0');
  if (f.hasError === false) cond('t.error_count = 0');
  if (f.minRetries !== undefined) cond(f.minRetries > 0 ? 't.retry_count > 0 AND t.retry_count >= ?' : 't.retry_count >= ?', f.minRetries);
  if (f.minDurationMs !== undefined) cond('t.duration_ms >= ?', f.minDurationMs);
  if (f.maxDurationMs !== undefined) cond('t.duration_ms < ?', f.maxDurationMs);
  if (f.minTokens !== undefined) cond('t.total_tokens >= ?', f.minTokens);
  if (f.maxTokens !== undefined) cond('t.total_tokens < ?', f.maxTokens);
  if (f.minCost !== undefined) cond('t.cost_usd >= ?', f.minCost);
  if (f.maxCost !== undefined) cond('t.cost_usd < ?', f.maxCost);
  if (f.tag) cond('EXISTS (SELECT 1 FROM json_each(t.tags) g WHERE g.value = ?)', f.tag);
  if (f.sessionId) cond('t.session_id = ?', f.sessionId);
  if (f.userId) cond('t.user_id = ?', f.userId);
  if (f.text) {
    const needle = f.text.toLowerCase();
    cond('(instr(lower(t.input_preview), ?) > 0 OR instr(lower(t.output_preview), ?) > 0)', needle, needle);
  }
  for (const e of f.evals ?? []) {
    if (e === driver) continue;
    if (e.missing === true) {
      cond('NOT EXISTS (SELECT 1 FROM trace_evals x WHERE x.project_id = t.project_id AND x.trace_id = t.trace_id AND x.name = ?)', e.name);
      continue;
    }
    const parts = ['x.project_id = t.project_id', 'x.trace_id = t.trace_id', 'x.name = ?'];
    const values: unknown[] = [e.name];
    if (e.minScore !== undefined) (parts.push('x.score >= ?'), values.push(e.minScore));
    if (e.maxScore !== undefined) (parts.push('x.score < ?'), values.push(e.maxScore));
    if (e.label !== undefined) (parts.push('EXISTS (SELECT 1 FROM evaluations l WHERE l.project_id = x.project_id AND l.trace_id = x.trace_id AND l.name = x.name AND l.label = ?)'), values.push(e.label));
    cond(`EXISTS (SELECT 1 FROM trace_evals x WHERE ${parts.join(' AND ')})`, ...values);
  }
  if (driver && 'label' in driver && driver.label !== undefined) {
    cond('EXISTS (SELECT 1 FROM evaluations l WHERE l.project_id = te.project_id AND l.trace_id = te.trace_id AND l.name = te.name AND l.label = ?)', driver.label);
  }
  const fb = f.feedback;
  // Implied by every feedback condition; lets the planner walk the partial index traces_feedback.
  // Thumbs-down and negative sentiment have narrower partial indexes of their own, used instead.
  const anyFeedback = fb && Object.values(fb).some((v) => v !== undefined);
  if (anyFeedback && fb.thumbs !== 'down' && fb.sentiment !== 'negative') cond('t.feedback_count > 0');
  if (fb?.thumbs === 'down') cond('t.thumbs_down > 0');
  if (fb?.thumbs === 'up') cond('t.thumbs_up > 0');
  if (fb?.sentiment === 'negative') cond('t.negative_feedback > 0');
  if (fb?.sentiment === 'positive') cond('t.positive_feedback > 0');
  if (fb?.sentiment === 'neutral') cond('t.neutral_feedback > 0');
  if (fb?.minRating !== undefined) cond('t.max_rating >= ?', fb.minRating);
  if (fb?.maxRating !== undefined) cond('t.min_rating < ?', fb.maxRating);

}

/**
 * The filter as a WHERE clause over `traces t` (project included), for analyses that join traces to
 * other tables (insights). Same semantics as the explorer, without paging.
 */
export function compileTraceFilter(projectId: string, f: TraceFilter): { sql: string; args: unknown[] } {
  const where: string[] = ['t.project_id = ?'];
  const args: unknown[] = [projectId];
  filterConditions(f, undefined, (sql, ...values) => {
    where.push(sql);
    args.push(...values);
  });
  return { sql: where.join(' AND '), args };
}
