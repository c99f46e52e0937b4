/**
 * Descriptive statistics of a sample of scores: mean, median and a histogram whose bins two samples
 * can share, so their distributions are drawn on one axis.
 */

export interface Summary {
  n: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
}

/** n, mean, median (the mean of the two middle values when n is even), min and max; nulls when n = 0. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, mean: null, median: null, min: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n, mean: sum / n, median, min: sorted[0], max: sorted[n - 1] };
}

/**
 * Counts per bin with NumPy's convention (`numpy.histogram`): bins are half-open [eᵢ, eᵢ₊₁) except the
 * last, which also holds its right edge; values outside [e₀, eₖ] are not counted.
 * @throws RangeError unless the edges are at least two and strictly increasing.
 */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) throw new RangeError('edges must be at least two, strictly increasing');
  const counts = new Array<number>(edges.length - 1).fill(0);
  const last = edges.length - 1;
  for (const v of values) {
    if (!(v >= edges[0] && v <= edges[last])) continue;
    if (v === edges[last]) {
      counts[last - 1]++;
      continue;
    }
    // The last edge not above v, by binary search: the bin index.
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (edges[m] <= v) lo = m;
      else hi = m;
    }
    counts[lo]++;
  }
  return counts;
}

/**
 * `bins` equal-width bin edges over the values: [0, 1] when every value lies there (the usual range of
 * evaluator scores, so charts of different segments line up), otherwise from the floor of the minimum to
 * the ceiling of the maximum. One unit-wide bin around a constant value outside [0, 1]; [] without values.
 */
export function binEdges(values: readonly number[], bins = 10): number[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  let [lo, hi] = min >= 0 && max <= 1 ? [0, 1] : [Math.floor(min), Math.ceil(max)];
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  // (hi − lo)·i/bins rather than i·width: 3·0.2 is 0.6000000000000001, which would move a score of 0.6 down a bin.
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}
