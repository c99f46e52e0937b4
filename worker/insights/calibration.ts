import type { CalibrationQuery, CalibrationResponse, AgreementSummary } from '../schemas/insights';
import { binaryMetrics, confusionMatrix, type ConfusionMatrix } from './stats/confusion';
import { kappaFromTable } from './stats/kappa';
import { spearman, thresholdSweep } from './stats/rank';
import { wilsonInterval } from './stats/wilson';

/** Below this many labeled traces the estimates are too wide to act on. */
export const MIN_LABELED = 100;
const TOO_FEW_NOTE = '100–200 labeled traces is usually enough';

/** One trace's automated result: the lowest score, and whether any label said failure (null: no label). */
export interface EvaluatorResult {
  traceId: string;
  score: number | null;
  labelFailure: boolean | null;
}

/** The evaluator's per-trace result in the project; lowest score because one failing span fails the trace. */
export async function evaluatorResults(d1: D1Database, projectId: string, q: CalibrationQuery, positive: string): Promise<EvaluatorResult[]> {
  const version = q.evaluatorVersion === undefined ? '' : 'AND evaluator_version = ?';
  const binds = [positive, projectId, q.evaluator, ...(q.evaluatorVersion === undefined ? [] : [q.evaluatorVersion])];
  const { results } = await d1
    .prepare(
      `SELECT trace_id AS traceId, MIN(score) AS score, MAX(CASE WHEN label IS NULL THEN NULL WHEN label = ? THEN 1 ELSE 0 END) AS labelFailure
       FROM evaluations WHERE project_id = ? AND name = ? ${version} GROUP BY trace_id`,
    )
    .bind(...binds)
    .all<{ traceId: string; score: number | null; labelFailure: number | null }>();
  return results.map((r) => ({ traceId: r.traceId, score: r.score, labelFailure: r.labelFailure === null ? null : r.labelFailure === 1 }));
}

/** `values[field]` of every annotation in the project (and queue), grouped by trace; missing values are dropped. */
export async function humanLabels(d1: D1Database, projectId: string, field: string, queueId?: string): Promise<Map<string, unknown[]>> {
  const { results } = await d1
    .prepare(`SELECT trace_id AS traceId, "values" AS v FROM annotations WHERE project_id = ? ${queueId === undefined ? '' : 'AND queue_id = ?'}`)
    .bind(projectId, ...(queueId === undefined ? [] : [queueId]))
    .all<{ traceId: string; v: string }>();
  const byTrace = new Map<string, unknown[]>();
  for (const r of results) {
    const value = (JSON.parse(r.v) as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    byTrace.set(r.traceId, [...(byTrace.get(r.traceId) ?? []), value]);
  }
  return byTrace;
}

/** The plurality value of one trace's labels, or undefined on a tie. Values compare by their JSON text. */
export function majority(values: readonly unknown[]): unknown {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return undefined;
  return JSON.parse(ranked[0][0]);
}

/** The failure value when none is given: `true` for boolean fields, `fail` for pass_fail ones. */
export function defaultPositive(labels: Map<string, unknown[]>): string {
  for (const values of labels.values()) if (values.length) return typeof values[0] === 'boolean' ? 'true' : 'fail';
  return 'fail';
}

function summary(confusion: ConfusionMatrix): AgreementSummary {
  const { kappa, se, ci95 } = kappaFromTable([
    [confusion.tp, confusion.fp],
    [confusion.fn, confusion.tn],
  ]);
  return { n: confusion.tp + confusion.fp + confusion.fn + confusion.tn, confusion, kappa: { kappa, se, ci95 } };
}

/**
 * Pairs each trace's evaluator result with its human majority label (ties excluded) and measures agreement.
 * The headline confusion is the score at its best-F1 threshold, or the evaluator's labels when it has no scores.
 */
export function calibrate(q: CalibrationQuery, positive: string, results: readonly EvaluatorResult[], labels: Map<string, unknown[]>): CalibrationResponse {
  const pairs = results.flatMap((r) => {
    const human = majority(labels.get(r.traceId) ?? []);
    return human === undefined ? [] : [{ ...r, failure: String(human) === positive }];
  });
  const scoredPairs = pairs.filter((p): p is typeof p & { score: number } => p.score !== null);
  const labelledPairs = pairs.filter((p): p is typeof p & { labelFailure: boolean } => p.labelFailure !== null);
  const labelAgreement = labelledPairs.length
    ? summary(confusionMatrix(labelledPairs.map((p) => p.labelFailure), labelledPairs.map((p) => p.failure)))
    : null;

  let scored: CalibrationResponse['scored'] = null;
  let headline: AgreementSummary = summary({ tp: 0, fp: 0, fn: 0, tn: 0 });
  let basis: CalibrationResponse['basis'] = 'none';
  let threshold: number | null = null;
  if (scoredPairs.length) {
    const scores = scoredPairs.map((p) => p.score);
    const actual = scoredPairs.map((p) => p.failure);
    const sweep = thresholdSweep(scores, actual, q.direction);
    scored = { n: scoredPairs.length, spearman: spearman(scores, actual.map(Number)), sweep };
    threshold = sweep.bestF1?.threshold ?? null;
    const predicted = scores.map((s) => threshold !== null && (q.direction === 'below' ? s < threshold : s >= threshold));
    headline = summary(confusionMatrix(predicted, actual));
    basis = 'score';
  } else if (labelAgreement) {
    headline = labelAgreement;
    basis = 'label';
  }
  const { confusion, n } = headline;
  const tooFew = n < MIN_LABELED;
  return {
    evaluator: q.evaluator,
    field: q.field,
    positive,
    direction: q.direction,
    n,
    tooFew,
    note: tooFew ? TOO_FEW_NOTE : null,
    basis,
    threshold,
    confusion,
    metrics: binaryMetrics(confusion),
    kappa: headline.kappa,
    accuracyCi: wilsonInterval(confusion.tp + confusion.tn, n),
    scored,
    labelAgreement,
  };
}
