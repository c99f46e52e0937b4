import type { LabelField } from '../schemas/label-schemas';
import type { AgreementSummary, CalibrationBasis, CalibrationQuery, CalibrationResponse, ThresholdSource } from '../schemas/insights';
import { isPositive, type EffectiveLabel } from './labels';
import { binaryMetrics, confusionMatrix, type ConfusionMatrix } from './stats/confusion';
import { kappaFromTable } from './stats/kappa';
import { spearman, thresholdSweep, type ThresholdSweep } from './stats/rank';
import { wilsonInterval } from './stats/wilson';

/**
 * Calibration of an automated evaluator against the humans' labels: pure functions over paired
 * results. The reads are in calibration-data.ts; history and disagreements build on `pairUp` and
 * `decide` here, so every view judges a trace the same way.
 */

/** Below this many labeled traces the estimates are too wide to act on. */
export const MIN_LABELED = 100;
const TOO_FEW_NOTE = '100–200 labeled traces is usually enough';

/** One trace's result from one evaluator version: its lowest score, since one failing span fails the trace. */
export interface EvaluatorResult {
  traceId: string;
  version: string;
  score: number | null;
  /** Whether any of its labels said failure; null when it gave no label. */
  labelFailure: boolean | null;
  /** The newest evaluation time (epoch ms). */
  at: number;
  /** The trace's start (epoch ms); null when the trace is not in the index. */
  startMs: number | null;
}

/** What calibration reads of a trace's effective human label. */
export type HumanLabel = Pick<EffectiveLabel, 'value' | 'source' | 'reviewers'>;

/** An evaluator result with the trace's effective human label. */
export interface Pair extends EvaluatorResult {
  human: HumanLabel;
  /** The humans say the trace failed. */
  failure: boolean;
  /** The human value when the field is numeric (for Spearman against the rating itself). */
  humanNumber: number | null;
}

const NUMERIC_POSITIVE = /^(lt|gte):(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i;

/** The failure value when none is given, by the field's type. */
export function defaultPositive(field: LabelField | null): string {
  switch (field?.type) {
    case 'boolean':
      return 'true';
    case 'categorical':
      return field.options[0]?.value ?? 'fail';
    case 'numeric':
      return `lt:${(field.min + field.max) / 2}`;
    default:
      return 'fail';
  }
}

/**
 * Reads a human value as failure or not: `lt:<n>`/`gte:<n>` compare numbers, anything else is
 * {@link isPositive} (equality, or membership for multi select).
 */
export function humanFailure(positive: string): (value: unknown) => boolean {
  const numeric = NUMERIC_POSITIVE.exec(positive);
  if (!numeric) return (value) => isPositive(value, positive);
  const cut = Number(numeric[2]);
  return numeric[1].toLowerCase() === 'lt' ? (v) => typeof v === 'number' && v < cut : (v) => typeof v === 'number' && v >= cut;
}

/** A labeled trace and the evaluator's results on it (one per version). */
export interface LabeledTrace {
  traceId: string;
  human: HumanLabel;
  results: EvaluatorResult[];
}

const pair = (r: EvaluatorResult, human: HumanLabel, failure: boolean): Pair => ({
  traceId: r.traceId,
  version: r.version,
  score: r.score,
  labelFailure: r.labelFailure,
  at: r.at,
  startMs: r.startMs,
  human,
  failure,
  humanNumber: typeof human.value === 'number' ? human.value : null,
});

/** Every result paired with its trace's label. */
export function pairUp(traces: readonly LabeledTrace[], positive: string): Pair[] {
  const isFailure = humanFailure(positive);
  const out: Pair[] = [];
  for (const t of traces) {
    const failure = isFailure(t.human.value);
    for (const r of t.results) out.push(pair(r, t.human, failure));
  }
  return out;
}

/**
 * Each trace's newest result (by evaluation time, then version text) paired with its label: what the
 * evaluator says about the trace today when several versions judged it.
 */
export function newestPairs(traces: readonly LabeledTrace[], positive: string): Pair[] {
  const isFailure = humanFailure(positive);
  const out: Pair[] = [];
  for (const t of traces) {
    let newest: EvaluatorResult | null = null;
    for (const r of t.results) if (!newest || r.at > newest.at || (r.at === newest.at && r.version > newest.version)) newest = r;
    if (newest) out.push(pair(newest, t.human, isFailure(t.human.value)));
  }
  return out;
}

export function predictsFailure(score: number, threshold: number, direction: CalibrationQuery['direction']): boolean {
  return direction === 'below' ? score < threshold : score >= threshold;
}

/** How a set of pairs is judged: by score at a threshold when any pair has a score, else by the evaluator's labels. */
export interface Decision {
  basis: CalibrationBasis;
  threshold: number | null;
  thresholdSource: ThresholdSource;
  /** The pairs judged (with a score for `score`, with a label for `label`). */
  judged: Pair[];
  /** The evaluator's call on `judged[i]`. */
  predicted: boolean[];
  sweep: ThresholdSweep | null;
}

export function decide(pairs: readonly Pair[], q: Pick<CalibrationQuery, 'direction' | 'threshold'>): Decision {
  const scored = pairs.filter((p): p is Pair & { score: number } => p.score !== null);
  if (scored.length) {
    const sweep = thresholdSweep(scored.map((p) => p.score), scored.map((p) => p.failure), q.direction);
    const threshold = q.threshold ?? sweep.bestF1?.threshold ?? null;
    const thresholdSource: ThresholdSource = q.threshold !== undefined ? 'query' : threshold === null ? 'none' : 'bestF1';
    const predicted = scored.map((p) => threshold !== null && predictsFailure(p.score, threshold, q.direction));
    return { basis: 'score', threshold, thresholdSource, judged: scored, predicted, sweep };
  }
  const labelled = pairs.filter((p) => p.labelFailure !== null);
  if (labelled.length) {
    return { basis: 'label', threshold: null, thresholdSource: 'none', judged: labelled, predicted: labelled.map((p) => p.labelFailure!), sweep: null };
  }
  return { basis: 'none', threshold: null, thresholdSource: 'none', judged: [], predicted: [], sweep: null };
}

/** Confusion and Cohen's κ (with its 95% CI) of predictions against the human verdicts. */
export function agreement(predicted: readonly boolean[], actual: readonly boolean[]): AgreementSummary {
  const confusion = confusionMatrix(predicted, actual);
  const { kappa, se, ci95 } = kappaFromTable([
    [confusion.tp, confusion.fp],
    [confusion.fn, confusion.tn],
  ]);
  return { n: predicted.length, confusion, kappa: { kappa, se, ci95 } };
}

export const accuracyInterval = (c: ConfusionMatrix, n: number) => wilsonInterval(c.tp + c.tn, n);

/**
 * The headline: each trace's evaluator result against its effective human label. Judged by score at
 * the `threshold` asked for or the best-F1 one, or by the evaluator's labels when it gives no scores.
 */
export function calibrate(
  q: CalibrationQuery,
  positive: string,
  evaluatorPositive: string,
  pairs: readonly Pair[],
): CalibrationResponse {
  const d = decide(pairs, q);
  const headline = agreement(d.predicted, d.judged.map((p) => p.failure));
  const labelled = pairs.filter((p) => p.labelFailure !== null);
  const labelAgreement = labelled.length ? agreement(labelled.map((p) => p.labelFailure!), labelled.map((p) => p.failure)) : null;

  let scored: CalibrationResponse['scored'] = null;
  if (d.basis === 'score' && d.sweep) {
    const scores = d.judged.map((p) => p.score!);
    const numeric = d.judged.every((p) => p.humanNumber !== null);
    const rho = numeric ? spearman(scores, d.judged.map((p) => p.humanNumber!)) : spearman(scores, d.judged.map((p) => Number(p.failure)));
    scored = { n: d.judged.length, spearman: rho, spearmanWith: numeric ? 'value' : 'failure', sweep: d.sweep };
  }
  const labelSources = { adjudicated: 0, majority: 0, single: 0 };
  for (const p of d.judged) labelSources[p.human.source]++;
  const { n, confusion } = headline;
  const tooFew = n < MIN_LABELED;
  return {
    evaluator: q.evaluator,
    evaluatorVersion: q.evaluatorVersion ?? null,
    field: q.field,
    positive,
    evaluatorPositive,
    direction: q.direction,
    ...headline,
    tooFew,
    note: tooFew ? TOO_FEW_NOTE : null,
    basis: d.basis,
    threshold: d.threshold,
    thresholdSource: d.thresholdSource,
    metrics: binaryMetrics(confusion),
    accuracyCi: accuracyInterval(confusion, n),
    scored,
    labelAgreement,
    labelSources,
  };
}
