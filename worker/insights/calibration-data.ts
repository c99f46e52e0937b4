import { getQueueWithFields } from '../data/queues';
import { compileTraceFilter } from '../data/trace-query';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import type { TraceFilter } from '../schemas/filters';
import { FILTER_PARAM_KEYS, type CalibrationParams, type CalibrationQuery } from '../schemas/insights';
import { filterFromParams, type TraceQueryParams } from '../schemas/filters';
import { defaultPositive, newestPerTrace, pairUp, type EvaluatorResult, type Pair } from './calibration';
import { fieldLabels, type EffectiveLabel } from './labels';

/** Trace ids per statement: one bound JSON array, read with json_each, in a D1 batch. */
const CHUNK = 2000;

/** Splits parsed params into the calibration and the explorer filter. */
export function splitParams(p: CalibrationParams): { q: CalibrationQuery; filter: TraceFilter } {
  const picked: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) ((FILTER_PARAM_KEYS as readonly string[]).includes(k) ? picked : rest)[k] = v;
  const { filter } = filterFromParams({ ...picked, limit: 1, sort: 'time', order: 'desc' } as TraceQueryParams);
  return { q: rest as CalibrationQuery, filter };
}

const isEmpty = (f: TraceFilter) => Object.values(f).every((v) => v === undefined);

/**
 * Every result of the evaluator on the given traces, one per (trace, version): the lowest score,
 * whether a label said failure, the newest evaluation time and the trace's start. Driven by the
 * labeled traces, so each is one lookup on `evaluations_natural` (project, trace, …).
 */
export async function evaluatorResults(
  d1: D1Database,
  projectId: string,
  q: Pick<CalibrationQuery, 'evaluator' | 'evaluatorVersion'>,
  evaluatorPositive: string,
  traceIds: readonly string[],
): Promise<EvaluatorResult[]> {
  if (!traceIds.length) return [];
  const version = q.evaluatorVersion === undefined ? '' : 'AND e.evaluator_version = ?';
  const sql = `SELECT e.trace_id AS traceId, e.evaluator_version AS version, MIN(e.score) AS score,
      MAX(CASE WHEN e.label IS NULL THEN NULL WHEN e.label = ? THEN 1 ELSE 0 END) AS labelFailure,
      MAX(e.timestamp_ms) AS at, t.start_ms AS startMs
    FROM evaluations e LEFT JOIN traces t ON t.project_id = e.project_id AND t.trace_id = e.trace_id
    WHERE e.project_id = ? AND e.trace_id IN (SELECT value FROM json_each(?)) AND e.name = ? ${version}
    GROUP BY e.trace_id, e.evaluator_version`;
  // Each chunk's results come back as one JSON array: receiving tens of thousands of rows from D1 costs the
  // Worker more than the query. A chunk's array (2,000 traces × a few versions × ~80 bytes) stays far below
  // D1's 2 MB row limit.
  const packed = `SELECT json_group_array(json_array(traceId, version, score, labelFailure, at, startMs)) AS r FROM (${sql})`;
  const statements = [];
  for (let i = 0; i < traceIds.length; i += CHUNK) {
    const ids = JSON.stringify(traceIds.slice(i, i + CHUNK));
    statements.push(d1.prepare(packed).bind(evaluatorPositive, projectId, ids, q.evaluator, ...(q.evaluatorVersion === undefined ? [] : [q.evaluatorVersion])));
  }
  type Row = [traceId: string, version: string, score: number | null, labelFailure: number | null, at: number, startMs: number | null];
  const batches = await d1.batch<{ r: string }>(statements);
  return batches.flatMap((b) =>
    b.results.flatMap(({ r }) =>
      (JSON.parse(r) as Row[]).map(([traceId, version, score, labelFailure, at, startMs]) => ({
        traceId,
        version,
        score,
        labelFailure: labelFailure === null ? null : labelFailure === 1,
        at,
        startMs,
      })),
    ),
  );
}

export interface CalibrationData {
  q: CalibrationQuery;
  filter: TraceFilter;
  positive: string;
  evaluatorPositive: string;
  labels: Map<string, EffectiveLabel>;
  /** Every (trace, version) result on a labeled trace. */
  results: EvaluatorResult[];
}

/**
 * The labels and evaluator results a calibration rests on, within the queue and filter asked for.
 * 404 when the queue is not the project's.
 */
export async function loadCalibration(d1: D1Database, projectId: string, params: CalibrationParams): Promise<CalibrationData> {
  const { q, filter } = splitParams(params);
  if (q.queueId !== undefined && !(await getQueueWithFields(getDb(d1), { projectId, queueId: q.queueId }))) throw new NotFound('Queue');
  const traces = isEmpty(filter) ? undefined : compileTraceFilter(projectId, filter);
  const { field, labels } = await fieldLabels(d1, projectId, q.field, { queueId: q.queueId, traces });
  const positive = q.positive ?? defaultPositive(field);
  // A numeric cut (`lt:3`) is no evaluator label; `fail` is the common one then.
  const evaluatorPositive = q.evaluatorPositive ?? (/^(lt|gte):/i.test(positive) ? 'fail' : positive);
  const results = await evaluatorResults(d1, projectId, q, evaluatorPositive, [...labels.keys()]);
  return { q, filter, positive, evaluatorPositive, labels, results };
}

/** Every (trace, version) result paired with its trace's label: what the history splits by version. */
export const allPairs = (d: CalibrationData): Pair[] => pairUp(d.results, d.labels, d.positive);

/** Each trace's newest result paired with its label: what the headline and the disagreements judge. */
export const headlinePairs = (d: CalibrationData): Pair[] => pairUp(newestPerTrace(d.results), d.labels, d.positive);
