import { describe, expect, it } from 'vitest';
import { binEdges, histogram, summarize } from '../../../../worker/insights/stats/describe';

describe('summarize', () => {
  it('reproduces the NumPy documentation median of an even-sized sample', () => {
    // numpy.median docs: np.median([[10, 7, 4], [3, 2, 1]]) == 3.5 (the flattened array).
    expect(summarize([10, 7, 4, 3, 2, 1])).toEqual({ n: 6, mean: 27 / 6, median: 3.5, min: 1, max: 10 });
  });

  it("reproduces the mean of Anscombe's first data set", () => {
    // Anscombe, "Graphs in Statistical Analysis", Am. Stat. 27(1), 1973: ȳ = 7.50 for every set.
    const y1 = [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68];
    const s = summarize(y1);
    expect(s.mean).toBeCloseTo(7.5, 2);
    expect([s.n, s.median, s.min, s.max]).toEqual([11, 7.58, 4.26, 10.84]);
  });

  it('has nulls for an empty sample', () => {
    expect(summarize([])).toEqual({ n: 0, mean: null, median: null, min: null, max: null });
  });
});

describe('histogram', () => {
  // The examples of the numpy.histogram documentation.
  it('counts half-open bins and closes the last one, as numpy.histogram does', () => {
    expect(histogram([1, 2, 1], [0, 1, 2, 3])).toEqual([0, 2, 1]);
    expect(histogram([1, 2, 1, 1, 0, 1], [0, 1, 2, 3])).toEqual([1, 4, 1]);
    expect(histogram([0, 1, 2, 3], [0, 1, 2, 3, 4])).toEqual([1, 1, 1, 1]);
  });

  it('puts the right edge in the last bin and leaves values outside the edges out', () => {
    expect(histogram([-0.1, 0, 0.5, 1, 1.2], [0, 0.5, 1])).toEqual([1, 2]);
  });

  it('refuses edges that do not increase', () => {
    expect(() => histogram([1], [0, 0])).toThrow(RangeError);
    expect(() => histogram([1], [1])).toThrow(RangeError);
  });
});

describe('binEdges', () => {
  it('uses [0, 1] for scores in that range, so segments share one axis', () => {
    const edges = binEdges([0.2, 0.9], 4);
    expect(edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(histogram([0.2, 0.9, 1, 0], edges)).toEqual([2, 0, 0, 2]);
  });

  it('widens to whole numbers outside [0, 1] and around a constant', () => {
    expect(binEdges([1.5, 4.2], 4)).toEqual([1, 2, 3, 4, 5]);
    expect(binEdges([3, 3], 2)).toEqual([2.5, 3, 3.5]);
    // Edges are exact where the arithmetic allows: 3 × 0.2 would be 0.6000000000000001.
    expect(binEdges([0.6], 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(histogram([0.6], binEdges([0.6], 5))).toEqual([0, 0, 0, 1, 0]);
    expect(binEdges([])).toEqual([]);
  });
});
