import { normalCdf } from './normal';

export interface ProportionInterval {
  /** successes / trials. */
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for a binomial proportion (Wilson, J. Am. Stat. Assoc. 22(158), 1927; method 3 of
 * Newcombe, "Two-sided confidence intervals for the single proportion", Stat. Med. 17(8), 1998):
 *   (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
 * Unlike p̂ ± z·SE it stays inside [0, 1] and is not zero-width at 0 or n successes. `null` when n = 0.
 * @throws RangeError unless 0 ≤ successes ≤ trials.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): ProportionInterval | null {
  if (successes < 0 || successes > trials) throw new RangeError('successes must lie between 0 and trials');
  if (trials === 0) return null;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt(p * (1 - p) / trials + z2n / (4 * trials));
  // Clamp only float noise: at 0 or n successes one bound is exactly 0 or 1 analytically.
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface Sample {
  successes: number;
  trials: number;
}

export interface TwoProportionTest {
  p1: number | null;
  p2: number | null;
  /** p1 − p2. */
  difference: number | null;
  /** (x1 + x2)/(n1 + n2), the common proportion under H₀. */
  pooled: number | null;
  se: number | null;
  z: number | null;
  /** Two-sided: 2·(1 − Φ(|z|)). */
  pValue: number | null;
  /**
   * True when any expected count under H₀ (n1·p̂, n1·(1 − p̂), n2·p̂, n2·(1 − p̂)) is below 5, the usual
   * condition for the normal approximation; z and the p-value are still given when defined but should not be
   * shown as a finding.
   */
  notEnoughData: boolean;
}

/**
 * Pooled two-proportion z-test of H₀: p1 = p2, z = (p̂1 − p̂2) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with p̂ pooled
 * (the textbook large-sample test, e.g. Agresti, Categorical Data Analysis; z² equals Pearson's X² on the 2×2 table
 * without continuity correction).
 */
export function twoProportionTest(a: Sample, b: Sample): TwoProportionTest {
  for (const s of [a, b]) {
    if (s.successes < 0 || s.successes > s.trials) throw new RangeError('successes must lie between 0 and trials');
  }
  const none = { difference: null, pooled: null, se: null, z: null, pValue: null, notEnoughData: true };
  const p1 = a.trials === 0 ? null : a.successes / a.trials;
  const p2 = b.trials === 0 ? null : b.successes / b.trials;
  if (p1 === null || p2 === null) return { p1, p2, ...none };
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const expected = [a.trials, b.trials].flatMap((n) => [n * pooled, n * (1 - pooled)]);
  const notEnoughData = expected.some((e) => e < 5);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const difference = p1 - p2;
  if (se === 0) return { p1, p2, difference, pooled, se, z: null, pValue: null, notEnoughData };
  const z = difference / se;
  return { p1, p2, difference, pooled, se, z, pValue: 2 * normalCdf(-Math.abs(z)), notEnoughData };
}
