import { getQueueWithFields } from '../data/queues';
import { compileTraceFilter } from '../data/trace-query';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import type { TraceFilter } from '../schemas/filters';
import { FILTER_PARAM_KEYS, type CalibrationParams, type CalibrationQuery } from '../schemas/insights';
import { filterFromParams, type TraceQueryParams } from '../schemas/filters';
import { defaultPositive, newestPairs, pairUp, type EvaluatorResult, type LabeledTrace, type Pair } from './calibration';
import type { LabelSource } from './labels';
import { definitionAt, parseValue, planFields, scopeKey, traceFilterSql, type Kind } from './materialized-labels';

/** Splits parsed params into the calibration and the explorer filter. */
export function splitParams(p: CalibrationParams): { q: CalibrationQuery; filter: TraceFilter } {
  const picked: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) ((FILTER_PARAM_KEYS as readonly string[]).includes(k) ? picked : rest)[k] = v;
  const { filter } = filterFromParams({ ...picked, limit: 1, sort: 'time', order: 'desc' } as TraceQueryParams);
  return { q: rest as CalibrationQuery, filter };
}

const isEmpty = (f: TraceFilter) => Object.values(f).every((v) => v === undefined);

export interface CalibrationData {
  q: CalibrationQuery;
  filter: TraceFilter;
  positive: string;
  evaluatorPositive: string;
  /** The field's reference kind, which the labels are of (null: no labels). */
  kind: Kind | null;
  /** Each labeled trace the evaluator judged, with every (version) result on it; in trace id order. */
  traces: LabeledTrace[];
}

/** One evaluation of a labeled trace, with the trace's label (and start, when asked for). */
type EvaluationRow = [
  /** The trace id, or (without trace ids) the number of its label row. */
  trace: string | number,
  value: unknown,
  source: 'a' | 'm' | 's',
  reviewers: number,
  version: string,
  score: number | null,
  label: string | null,
  at: number,
  startMs: number | null,
];
const SOURCES: Record<EvaluationRow[2], LabelSource> = { a: 'adjudicated', m: 'majority', s: 'single' };

/**
 * Folds one evaluation (one span's) into the trace's result of its version: the lowest score, whether any
 * label said failure (null while none gave a label), the newest time.
 */
function addResult(results: EvaluatorResult[], traceId: string, version: string, score: number | null, failure: boolean | null, at: number, startMs: number | null): void {
  const r = results.find((x) => x.version === version);
  if (!r) {
    results.push({ traceId, version, score, labelFailure: failure, at, startMs });
    return;
  }
  if (score !== null && (r.score === null || score < r.score)) r.score = score;
  if (failure !== null) r.labelFailure = r.labelFailure === true || failure;
  if (at > r.at) r.at = at;
}

/** Code point order: how SQLite sorts text, which put a trace's results in version order before. */
function codePointCompare(a: string, b: string): number {
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i].codePointAt(0)! - y[i].codePointAt(0)!;
  return x.length - y.length;
}

/**
 * The labels and evaluator results a calibration rests on, within the queue and filter asked for.
 * One read of the materialized labels of the field's reference kind (see materialized-labels.ts) joined
 * with the evaluator's evaluations (one lookup on `evaluations_natural` (project, trace, …) per label),
 * folded into one result per (trace, version) here; with `starts`, each trace's start; with `traceIds`,
 * the trace ids (disagreements name their traces; the headline and the history never read them, and the
 * results' `traceId` is '' then). The rows come as one JSON array per first two hex digits of the trace
 * id: receiving tens of thousands of rows costs the Worker more than the query.
 * 404 when the queue is not the project's.
 */
export async function loadCalibration(d1: D1Database, projectId: string, params: CalibrationParams, opts: { starts?: boolean; traceIds?: boolean } = {}): Promise<CalibrationData> {
  const { q, filter } = splitParams(params);
  if (q.queueId !== undefined && !(await getQueueWithFields(getDb(d1), { projectId, queueId: q.queueId }))) throw new NotFound('Queue');
  const scope = { queueId: q.queueId, traces: isEmpty(filter) ? undefined : compileTraceFilter(projectId, filter) };
  const { plans, versions } = await planFields(d1, projectId, [q.field], scope);
  const { kind, totalled } = plans[0];
  let newest = plans[0].newest;
  const rows: EvaluationRow[] = [];
  if (kind !== null) {
    const where = traceFilterSql(scope.traces);
    // A trace's start: one lookup per labeled trace (not per evaluation), only when asked for.
    const [start, traces] = opts.starts ? ['t.start_ms', 'LEFT JOIN traces t ON l.value IS NOT NULL AND t.project_id = ?1 AND t.trace_id = l.trace_id'] : ['NULL', ''];
    // Without trace ids the rows name their trace by its label row's number: a trace id is 40% of a row.
    const id = opts.traceIds ? 'l.trace_id' : 'l.rowid';
    const { results: groups } = await d1
      .prepare(
        // A join, not a subquery per trace: SQLite set the subquery up (and grouped its rows) for each trace
        // at a cost near the lookups'. LEFT, so the newest version counts ties and unjudged traces too.
        `SELECT max(l.newest) AS newest,
           json_group_array(json_array(${id}, json(l.value), substr(l.source, 1, 1), l.reviewers, e.evaluator_version, e.score, e.label, e.timestamp_ms, ${start}))
             FILTER (WHERE l.value IS NOT NULL AND e.id IS NOT NULL) AS r
         FROM trace_labels l ${traces}
           LEFT JOIN evaluations e ON e.project_id = ?1 AND e.trace_id = l.trace_id AND e.name = ?5 AND (?6 IS NULL OR e.evaluator_version = ?6)
         WHERE l.project_id = ?1 AND l.scope = ?2 AND l.field = ?3 AND l.kind = ?4${where.sql}
         GROUP BY substr(l.trace_id, 1, 2)`,
      )
      // The filter's own `?`s follow ?6, so they number on from 7.
      .bind(projectId, scopeKey(scope), q.field, kind, q.evaluator, q.evaluatorVersion ?? null, ...where.args)
      .all<{ newest: string | null; r: string }>();
    for (const g of groups) {
      if (!totalled && g.newest && (!newest || g.newest > newest)) newest = g.newest;
      for (const row of JSON.parse(g.r) as EvaluationRow[]) rows.push(row);
    }
  }
  const positive = q.positive ?? defaultPositive(definitionAt(versions, q.field, newest));
  // A numeric cut (`lt:3`) is no evaluator label; `fail` is the common one then.
  const evaluatorPositive = q.evaluatorPositive ?? (/^(lt|gte):/i.test(positive) ? 'fail' : positive);
  const labeled = new Map<string | number, LabeledTrace>();
  for (const [key, json, source, reviewers, version, score, label, at, startMs] of rows) {
    const traceId = opts.traceIds ? (key as string) : '';
    let t = labeled.get(key);
    if (!t) labeled.set(key, (t = { traceId, human: { value: parseValue(kind, json), source: SOURCES[source], reviewers }, results: [] }));
    addResult(t.results, traceId, version, score, label === null ? null : label === evaluatorPositive, at, startMs);
  }
  for (const t of labeled.values()) if (t.results.length > 1) t.results.sort((a, b) => codePointCompare(a.version, b.version));
  return { q, filter, positive, evaluatorPositive, kind, traces: [...labeled.values()] };
}

/** Every (trace, version) result paired with its trace's label: what the history splits by version. */
export const allPairs = (d: CalibrationData): Pair[] => pairUp(d.traces, d.positive);

/** Each trace's newest result paired with its label: what the headline and the disagreements judge. */
export const headlinePairs = (d: CalibrationData): Pair[] => newestPairs(d.traces, d.positive);
