import { describe, expect, it } from 'vitest';
import { mannWhitney } from '../../../../worker/insights/stats/mann-whitney';

describe('mannWhitney', () => {
  it('reproduces the NAG g08amc example (ties, continuity correction)', () => {
    // NAG Library, g08amc example program data and results: U = 86, z = −2.8039, lower tail 0.0025.
    const x = [13, 6, 12, 7, 12, 7, 10, 7, 10, 7, 16, 7, 10, 8, 9, 8];
    const y = [17, 6, 10, 8, 15, 8, 15, 10, 15, 10, 14, 10, 14, 11, 14, 11, 13, 12, 13, 12, 13, 12, 12];
    const r = mannWhitney(x, y)!;
    expect(r.u).toBe(86);
    expect(r.z).toBeCloseTo(-2.8039, 4);
    expect(r.pValue! / 2).toBeCloseTo(0.0025, 4);
    expect(r.probabilityGreater).toBeCloseTo(86 / (16 * 23), 12);
    expect(r.notEnoughData).toBe(false);
  });

  it("reproduces R's wilcox.test large-sample example without continuity correction", () => {
    // R documentation of wilcox.test (Hollander & Wolfe 1973, p. 69): W = 35 and, with
    // exact = FALSE, correct = FALSE, the one-sided p-value 0.1103.
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitney(x, y, { continuity: false })!;
    expect(r.u).toBe(35);
    expect(r.pValue! / 2).toBeCloseTo(0.1103, 4);
    expect(r.notEnoughData).toBe(true);
  });

  it('is symmetric: swapping the samples flips z and keeps p', () => {
    const a = [0.1, 0.4, 0.4, 0.9, 0.3, 0.35, 0.2, 0.6, 0.65, 0.7, 0.1];
    const b = [0.5, 0.8, 0.9, 0.95, 0.4, 0.85, 0.7, 0.9, 0.6, 0.75];
    const ab = mannWhitney(a, b)!;
    const ba = mannWhitney(b, a)!;
    expect(ab.u + ba.u).toBe(a.length * b.length);
    expect(ab.z).toBeCloseTo(-ba.z!, 12);
    expect(ab.pValue).toBeCloseTo(ba.pValue!, 12);
  });

  it('has no z when every value is equal, and no result for an empty sample', () => {
    expect(mannWhitney([1, 1], [1, 1, 1])).toMatchObject({ u: 3, z: null, pValue: null });
    expect(mannWhitney([], [1])).toBeNull();
    expect(() => mannWhitney([NaN], [1])).toThrow(RangeError);
  });
});
