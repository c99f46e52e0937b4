import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from '../../../../worker/insights/stats/alpha';

// Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011, repository.upenn.edu/asc_papers/43),
// the worked example with missing data: 4 observers × 12 units, nominal values 1–5 with missing data ("."). Published results:
// nominal α = 0.743, ordinal α = 0.815, interval α = 0.849. Unit 12 has a single value and is not pairable.
const _ = null;
const coders = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
  [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
];
const units = coders[0].map((_, u) => coders.map((row) => row[u]));

describe('krippendorffAlpha', () => {
  it("reproduces Krippendorff's nominal example (α = 0.743) and its coincidence-matrix totals", () => {
    const r = krippendorffAlpha(units, 'nominal');
    expect(r.units).toBe(11);
    expect(r.pairable).toBe(40); // n.. in the paper's coincidence matrix
    expect(r.alpha).toBeCloseTo(0.743, 3);
  });

  it('reproduces the ordinal (0.815) and interval (0.849) values for the same data', () => {
    expect(krippendorffAlpha(units, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(units, 'interval').alpha).toBeCloseTo(0.849, 3);
  });

  it('does not depend on the order of coders within a unit', () => {
    const shuffled = units.map((u) => [...u].reverse());
    expect(krippendorffAlpha(shuffled, 'ordinal').alpha).toBeCloseTo(krippendorffAlpha(units, 'ordinal').alpha!, 12);
  });

  it('matches two-coder nominal data worked by hand', () => {
    // Units (a,a) (a,b) (b,b) (b,b): o_aa = 2, o_ab = o_ba = 1, o_bb = 4; n_a = 3, n_b = 5, n = 8.
    // Dₒ = 2/8; Dₑ = 2·3·5/(8·7) = 30/56; α = 1 − (2/8)/(30/56) = 1 − 7/15 = 8/15.
    const r = krippendorffAlpha([['a', 'a'], ['a', 'b'], ['b', 'b'], ['b', 'b']]);
    expect(r.alpha).toBeCloseTo(8 / 15, 12);
  });

  it('gives 1 for perfect agreement with variation, and null when every value is the same or nothing pairs', () => {
    expect(krippendorffAlpha([[1, 1], [2, 2, 2], [3, null, 3]], 'interval').alpha).toBe(1);
    expect(krippendorffAlpha([['x', 'x'], ['x', 'x']]).alpha).toBeNull();
    expect(krippendorffAlpha([[1, null], [null, 2]])).toMatchObject({ alpha: null, units: 0, pairable: 0 });
    expect(krippendorffAlpha([]).alpha).toBeNull();
  });

  it('rejects non-numeric values for ordinal and interval data', () => {
    expect(() => krippendorffAlpha([['low', 'high']], 'ordinal')).toThrow(TypeError);
  });
});
