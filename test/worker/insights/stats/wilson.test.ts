import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../../worker/insights/stats/normal';
import { twoProportionTest, wilsonInterval } from '../../../../worker/insights/stats/wilson';

describe('normalCdf', () => {
  it('matches standard normal table values to 1e-7', () => {
    // Φ(x) from Abramowitz & Stegun, Handbook of Mathematical Functions, Table 26.1; Φ(−x) = 1 − Φ(x).
    const table: [number, number][] = [
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [1, 0.8413447460685429],
      [1.96, 0.9750021048517795],
      [-1.96, 0.024997895148220435],
      [-3, 0.0013498980316300933],
      [3, 0.9986501019683699],
    ];
    for (const [x, phi] of table) expect(Math.abs(normalCdf(x) - phi), `Φ(${x})`).toBeLessThan(1e-7);
  });

  it('keeps relative accuracy far in the lower tail', () => {
    // Φ(−5) = 2.866515718791939e-7: an absolute bound alone would allow a 35 % error here.
    expect(normalCdf(-5) / 2.866515718791939e-7).toBeCloseTo(1, 6);
  });
});

describe('wilsonInterval', () => {
  // Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven methods",
  // Stat. Med. 17 (1998) 857–872, Table II, method 3 (score interval without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('reproduces Newcombe (1998) for %i/%i → [%f, %f]', (x, n, lower, upper) => {
    const ci = wilsonInterval(x, n)!;
    expect(ci.estimate).toBe(x / n);
    expect(ci.lower).toBeCloseTo(lower, 4);
    expect(ci.upper).toBeCloseTo(upper, 4);
  });

  it('stays within [0, 1] at n successes and widens as z grows', () => {
    const all = wilsonInterval(29, 29)!;
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.883, 3); // 29/29 mirrors 0/29: 1 − (1.96²/29)/(1 + 1.96²/29)
    const z258 = wilsonInterval(81, 263, 2.576)!;
    expect(z258.lower).toBeLessThan(0.2553);
    expect(z258.upper).toBeGreaterThan(0.3662);
  });

  it('returns null for no trials and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
  });
});

describe('twoProportionTest', () => {
  it('reproduces the OpenIntro mammogram example (pooled 0.0112, SE 0.00070, z ≈ −0.17, p ≈ 0.87)', () => {
    // Diez, Çetinkaya-Rundel & Barr, OpenIntro Statistics, 4th ed., §6.2 (Canadian National Breast Screening
    // Study): 500 of 44,925 died in the mammogram group, 505 of 44,910 in the control group. The book rounds
    // p̂1 and p̂2 before dividing and prints z = −0.17, p = 0.865; unrounded, by hand:
    //   p̂ = 1005/89835 = 0.011187, SE = √(p̂(1 − p̂)(1/44925 + 1/44910)) = 0.00070182,
    //   z = (0.0111297 − 0.0112447)/0.00070182 = −0.1639, p = 2Φ(−0.1639) = 0.8698.
    const r = twoProportionTest({ successes: 500, trials: 44925 }, { successes: 505, trials: 44910 });
    expect(r.pooled).toBeCloseTo(0.0112, 4);
    expect(r.se).toBeCloseTo(0.0007, 5);
    expect(r.z).toBeCloseTo(-0.1639, 4);
    expect(r.pValue).toBeCloseTo(0.8698, 4);
    expect(r.notEnoughData).toBe(false);
  });

  it('gives z = 2√2 for 60/100 against 40/100 (worked by hand)', () => {
    // p̂ = 0.5, SE = √(0.25 · 0.02) = √0.005, z = 0.2/√0.005 = 2√2; p = 2Φ(−2√2) = 0.0046777.
    const r = twoProportionTest({ successes: 60, trials: 100 }, { successes: 40, trials: 100 });
    expect(r.difference).toBeCloseTo(0.2, 12);
    expect(r.z).toBeCloseTo(2 * Math.SQRT2, 10);
    expect(r.pValue).toBeCloseTo(0.0046777, 6);
  });

  it('flags too little data when any expected count is below 5', () => {
    // p̂ = 4/40 = 0.1: expected successes 2 per group.
    const r = twoProportionTest({ successes: 3, trials: 20 }, { successes: 1, trials: 20 });
    expect(r.notEnoughData).toBe(true);
    expect(r.z).not.toBeNull();
  });

  it('answers null instead of dividing by zero', () => {
    expect(twoProportionTest({ successes: 0, trials: 0 }, { successes: 3, trials: 10 })).toMatchObject({ p1: null, z: null, notEnoughData: true });
    expect(twoProportionTest({ successes: 10, trials: 10 }, { successes: 20, trials: 20 })).toMatchObject({ se: 0, z: null, pValue: null, notEnoughData: true });
  });
});
