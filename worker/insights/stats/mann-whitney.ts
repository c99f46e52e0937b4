import { normalCdf } from './normal';
import { averageRanks } from './rank';

/** Below this many values in either sample the normal approximation is too rough to report as a finding. */
export const MIN_PER_SAMPLE = 10;

export interface MannWhitney {
  /** U of the first sample: pairs (a, b) with a > b, ties counted ½. */
  u: number;
  /** U / (n₁·n₂): the probability that a random value of the first sample exceeds one of the second (ties ½). */
  probabilityGreater: number;
  /** Normal approximation with the tie-corrected variance and a ½ continuity correction; null when every value is equal. */
  z: number | null;
  /** Two-sided: 2·Φ(−|z|). */
  pValue: number | null;
  /** True when a sample has fewer than {@link MIN_PER_SAMPLE} values. */
  notEnoughData: boolean;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of two independent samples, large-sample form:
 * U₁ = R₁ − n₁(n₁ + 1)/2 from average ranks, mean n₁n₂/2, variance
 * n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))) over the tie groups t (Lehmann, Nonparametrics, 1975, §1.4),
 * z = (U₁ − mean ∓ ½)/σ as R's `wilcox.test(correct = TRUE)` and NAG g08amc compute it. `null` when a sample is empty.
 * @throws RangeError when a value is not a finite number.
 */
export function mannWhitney(a: readonly number[], b: readonly number[], opts: { continuity?: boolean } = {}): MannWhitney | null {
  if (![...a, ...b].every(Number.isFinite)) throw new RangeError('values must be finite numbers');
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const pooled = [...a, ...b];
  const ranks = averageRanks(pooled);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const counts = new Map<number, number>();
  for (const v of pooled) counts.set(v, (counts.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t ** 3 - t;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const notEnoughData = n1 < MIN_PER_SAMPLE || n2 < MIN_PER_SAMPLE;
  const base = { u, probabilityGreater: u / (n1 * n2), notEnoughData };
  if (!(variance > 0)) return { ...base, z: null, pValue: null };
  const diff = u - (n1 * n2) / 2;
  const corrected = opts.continuity === false ? diff : Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5);
  const z = corrected / Math.sqrt(variance);
  return { ...base, z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}
