import { binaryMetrics, cohensKappa2x2, type ConfusionMatrix } from './confusion';

/** 1-based ranks in input order; tied values share the mean of the ranks they span ("fractional" ranking). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) ranks[order[i]] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Spearman's ρ: Pearson's correlation of the average ranks, which is the definition that stays correct
 * with ties (the 1 − 6Σd²/(n(n² − 1)) shortcut does not). Spearman, Am. J. Psychol. 15(1), 1904.
 * `null` for fewer than two pairs or when either side is constant.
 * @throws RangeError when the arrays differ in length.
 */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError('x and y differ in length');
  if (x.length < 2) return null;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (x.length + 1) / 2; // the mean of average ranks is always (n + 1)/2
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) ** 2;
    syy += (ry[i] - mean) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/**
 * Which side of the threshold is predicted positive: `below` (score < t) suits faithfulness-like scores,
 * where a low score flags a failure; `atOrAbove` (score ≥ t) suits toxicity-like scores.
 */
export type PositiveWhen = 'below' | 'atOrAbove';

export interface ThresholdRow extends ConfusionMatrix {
  threshold: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  kappa: number | null;
}

export interface ThresholdSweep {
  /** One row per distinct score, ascending. */
  rows: ThresholdRow[];
  /** The row with the highest F1 (the lowest threshold among ties); null when no row has one. */
  bestF1: ThresholdRow | null;
  /** The row with the highest Cohen's κ against the labels, chosen the same way. */
  bestKappa: ThresholdRow | null;
}

/**
 * Scores an automatic evaluator against reference labels (`labels[i]` true = item i is truly positive, e.g. a
 * reviewer marked it failed) at every distinct score t as threshold. Sorting once and walking the cut
 * makes it O(n log n).
 * @throws RangeError when the arrays differ in length or a score is not a finite number.
 */
export function thresholdSweep(scores: readonly number[], labels: readonly boolean[], positiveWhen: PositiveWhen): ThresholdSweep {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  if (!scores.every(Number.isFinite)) throw new RangeError('scores must be finite numbers');
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const positives = labels.filter(Boolean).length;
  const negatives = labels.length - positives;
  const rows: ThresholdRow[] = [];
  // Positives and negatives among the items scored strictly below the current threshold.
  let belowPos = 0;
  let belowNeg = 0;
  for (let i = 0; i < order.length; ) {
    const threshold = scores[order[i]];
    const [tp, fp] = positiveWhen === 'below' ? [belowPos, belowNeg] : [positives - belowPos, negatives - belowNeg];
    const m: ConfusionMatrix = { tp, fp, fn: positives - tp, tn: negatives - fp };
    const { precision, recall, f1 } = binaryMetrics(m);
    rows.push({ threshold, ...m, precision, recall, f1, kappa: cohensKappa2x2(m) });
    for (; i < order.length && scores[order[i]] === threshold; i++) {
      if (labels[order[i]]) belowPos++;
      else belowNeg++;
    }
  }
  return { rows, bestF1: best(rows, 'f1'), bestKappa: best(rows, 'kappa') };
}

function best(rows: ThresholdRow[], key: 'f1' | 'kappa'): ThresholdRow | null {
  let top: ThresholdRow | null = null;
  for (const row of rows) if (row[key] !== null && (top === null || row[key]! > top[key]!)) top = row;
  return top;
}
