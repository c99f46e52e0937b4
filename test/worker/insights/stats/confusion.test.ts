import { describe, expect, it } from 'vitest';
import { binaryMetrics, cohensKappa2x2, confusionMatrix } from '../../../../worker/insights/stats/confusion';
import { kappaFromTable } from '../../../../worker/insights/stats/kappa';

describe('confusionMatrix and binaryMetrics', () => {
  it('counts paired predictions and derives the rates by hand', () => {
    const m = confusionMatrix([true, true, true, false, false, false, false], [true, true, false, true, false, false, false]);
    expect(m).toEqual({ tp: 2, fp: 1, fn: 1, tn: 3 });
    expect(binaryMetrics(m)).toEqual({ n: 7, accuracy: 5 / 7, precision: 2 / 3, recall: 2 / 3, f1: 4 / 6, specificity: 3 / 4 });
  });

  it('answers null for each rate whose denominator is zero', () => {
    expect(binaryMetrics({ tp: 0, fp: 0, fn: 0, tn: 0 })).toEqual({ n: 0, accuracy: null, precision: null, recall: null, f1: null, specificity: null });
    // Nothing predicted positive: precision undefined, recall 0, F1 0.
    expect(binaryMetrics({ tp: 0, fp: 0, fn: 3, tn: 2 })).toMatchObject({ precision: null, recall: 0, f1: 0, specificity: 1 });
    // No actual positives or negatives of one kind.
    expect(binaryMetrics({ tp: 0, fp: 0, fn: 0, tn: 5 })).toMatchObject({ precision: null, recall: null, f1: null, specificity: 1 });
  });

  it('rejects arrays of different length', () => {
    expect(() => confusionMatrix([true], [])).toThrow(RangeError);
  });
});

describe('cohensKappa2x2', () => {
  it('reproduces the Wikipedia example 20/5/10/15 → κ = 0.4', () => {
    // en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example".
    expect(cohensKappa2x2({ tp: 20, fp: 5, fn: 10, tn: 15 })).toBeCloseTo(0.4, 12);
  });

  it('agrees with the general formula on other tables', () => {
    for (const [tp, fp, fn, tn] of [[45, 15, 25, 15], [25, 35, 5, 35], [3, 0, 1, 9], [0, 4, 6, 0]]) {
      expect(cohensKappa2x2({ tp, fp, fn, tn })).toBeCloseTo(kappaFromTable([[tp, fp], [fn, tn]]).kappa!, 12);
    }
  });

  it('is 1 for perfect agreement, 0 for a one-class predictor, null when both sides use one class', () => {
    expect(cohensKappa2x2({ tp: 4, fp: 0, fn: 0, tn: 6 })).toBe(1);
    expect(cohensKappa2x2({ tp: 4, fp: 6, fn: 0, tn: 0 })).toBe(0);
    expect(cohensKappa2x2({ tp: 5, fp: 0, fn: 0, tn: 0 })).toBeNull();
    expect(cohensKappa2x2({ tp: 0, fp: 0, fn: 0, tn: 0 })).toBeNull();
  });
});
