import { describe, expect, it } from 'vitest';
import { averageRanks, spearman, thresholdSweep } from '../../../../worker/insights/stats/rank';

describe('spearman', () => {
  it('reproduces the Wikipedia IQ/TV example without ties (ρ = −29/165 ≈ −0.1758)', () => {
    // en.wikipedia.org/wiki/Spearman%27s_rank_correlation_coefficient, "Example": Σd² = 194, n = 10.
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    expect(spearman(iq, tv)).toBeCloseTo(-29 / 165, 12);
  });

  it('reproduces the SciPy spearmanr documentation example with a tie (ρ = 0.8207826816681233)', () => {
    // docs.scipy.org, scipy.stats.spearmanr: spearmanr([1,2,3,4,5], [5,6,7,8,7]). By hand: y ranks
    // 1, 2, 3.5, 5, 3.5; Σ dx·dy = 8, Σ dx² = 10, Σ dy² = 9.5; ρ = 8/√95.
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
  });

  it('gives average ranks to ties', () => {
    expect(averageRanks([10, 20, 10, 30, 20, 10])).toEqual([2, 4.5, 2, 6, 4.5, 2]);
  });

  it('is null for fewer than two pairs or a constant side, and rejects mismatched lengths', () => {
    expect(spearman([1], [2])).toBeNull();
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNull();
    expect(() => spearman([1, 2], [1])).toThrow(RangeError);
  });
});

describe('thresholdSweep', () => {
  // A faithfulness-like score: reviewers marked items failed (true) and the failures score low.
  const scores = [0.1, 0.2, 0.4, 0.4, 0.7, 0.9];
  const failed = [true, true, false, true, false, false];

  it('predicts failure below each distinct threshold and counts by hand', () => {
    const { rows } = thresholdSweep(scores, failed, 'below');
    expect(rows.map((r) => r.threshold)).toEqual([0.1, 0.2, 0.4, 0.7, 0.9]);
    // t = 0.4: items 0.1 and 0.2 predicted failed → TP 2, FP 0, FN 1, TN 3.
    expect(rows[2]).toMatchObject({ tp: 2, fp: 0, fn: 1, tn: 3, precision: 1, recall: 2 / 3 });
    // t = 0.7: 0.1, 0.2, 0.4, 0.4 → TP 3, FP 1, FN 0, TN 2. F1 = 6/7; κ = 2(6 − 0)/(4·3 + 3·2) = 2/3.
    expect(rows[3]).toMatchObject({ tp: 3, fp: 1, fn: 0, tn: 2 });
    expect(rows[3].f1).toBeCloseTo(6 / 7, 12);
    expect(rows[3].kappa).toBeCloseTo(2 / 3, 12);
    // t = 0.1: nothing predicted failed, so precision is undefined and F1 is 0.
    expect(rows[0]).toMatchObject({ tp: 0, fp: 0, precision: null, recall: 0, f1: 0, kappa: 0 });
  });

  it('picks the thresholds that maximise F1 and κ', () => {
    // t = 0.4: F1 = 4/5, κ = 2(6 − 0)/(2·3 + 3·4) = 2/3 — ties t = 0.7 on κ, and the lower threshold wins.
    const { bestF1, bestKappa } = thresholdSweep(scores, failed, 'below');
    expect(bestF1!.threshold).toBe(0.7);
    expect(bestKappa!.threshold).toBe(0.4);
  });

  it('mirrors the counts when high scores mean positive', () => {
    const flipped = failed.map((f) => !f);
    const below = thresholdSweep(scores, failed, 'below').rows;
    const above = thresholdSweep(scores, flipped, 'atOrAbove').rows;
    // score ≥ t flags "passed"; its TP/TN are the other direction's TN/TP at the same cut.
    above.forEach((r, i) => expect([r.tp, r.fp, r.fn, r.tn]).toEqual([below[i].tn, below[i].fn, below[i].fp, below[i].tp]));
  });

  it('handles empty input and rejects non-finite scores', () => {
    expect(thresholdSweep([], [], 'below')).toEqual({ rows: [], bestF1: null, bestKappa: null });
    expect(() => thresholdSweep([Number.NaN], [true], 'below')).toThrow(RangeError);
  });
});
