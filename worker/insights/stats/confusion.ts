/** Counts of a binary classifier against a reference, positive meaning "the thing we look for" (e.g. fail). */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Rates derived from a {@link ConfusionMatrix}; `null` where the denominator is zero. */
export interface BinaryMetrics {
  n: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  specificity: number | null;
}

/**
 * Tallies paired predictions against the reference labels: `predicted[i]` and `actual[i]` describe item i.
 * @throws RangeError when the arrays differ in length.
 */
export function confusionMatrix(predicted: readonly boolean[], actual: readonly boolean[]): ConfusionMatrix {
  if (predicted.length !== actual.length) throw new RangeError('predicted and actual differ in length');
  const m: ConfusionMatrix = { tp: 0, fp: 0, fn: 0, tn: 0 };
  predicted.forEach((p, i) => {
    m[p ? (actual[i] ? 'tp' : 'fp') : actual[i] ? 'fn' : 'tn']++;
  });
  return m;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

/**
 * accuracy = (TP+TN)/n, precision = TP/(TP+FP), recall (sensitivity) = TP/(TP+FN),
 * specificity = TN/(TN+FP), F1 = 2TP/(2TP+FP+FN) — the harmonic mean of precision and recall written so that
 * it is 0 (not undefined) when one of them is 0 and null only when there is no positive on either side.
 * Reference: Powers, "Evaluation: from precision, recall and F-measure to ROC…", J. Mach. Learn. Technol. 2(1), 2011.
 */
export function binaryMetrics({ tp, fp, fn, tn }: ConfusionMatrix): BinaryMetrics {
  const n = tp + fp + fn + tn;
  return {
    n,
    accuracy: ratio(tp + tn, n),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    specificity: ratio(tn, tn + fp),
  };
}

/**
 * Cohen's κ of a 2×2 table in closed form: κ = 2(TP·TN − FP·FN) / ((TP+FP)(FP+TN) + (TP+FN)(FN+TN)),
 * algebraically equal to (pₒ − pₑ)/(1 − pₑ) (Cohen, Educ. Psychol. Meas. 20(1), 1960). `null` when chance
 * agreement is 1 (both sides put every item in the same one class) or the table is empty.
 */
export function cohensKappa2x2({ tp, fp, fn, tn }: ConfusionMatrix): number | null {
  const den = (tp + fp) * (fp + tn) + (tp + fn) * (fn + tn);
  return den === 0 ? null : (2 * (tp * tn - fp * fn)) / den;
}
