import type { Category, Rating } from './kappa';

/** Level of measurement, which picks the difference function δ². */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval';

export interface KrippendorffAlpha {
  level: AlphaLevel;
  /** α = 1 − Dₒ/Dₑ; null when nothing is pairable or every pairable value is the same (Dₑ = 0). */
  alpha: number | null;
  /** Units with at least two ratings, the only ones that count. */
  units: number;
  /** n.., the number of pairable values. */
  pairable: number;
  /** Distinct values seen in pairable units; sorted ascending for ordinal and interval data. */
  values: Category[];
  /** Dₒ = (1/n..) Σ o_ck δ²_ck. */
  observedDisagreement: number | null;
  /** Dₑ = (1/(n..(n.. − 1))) Σ n_c n_k δ²_ck. */
  expectedDisagreement: number | null;
}

/**
 * Krippendorff's α by the coincidence-matrix method, for any number of coders and missing values:
 * Krippendorff, "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication, 2011
 * (https://repository.upenn.edu/asc_papers/43). `units[u]` holds the values coders gave unit u (null or
 * undefined = not coded); a unit coded fewer than twice is not pairable and is ignored. Each pairable unit
 * with m_u values adds 1/(m_u − 1) to o_ck for every ordered pair of values from different coders.
 * δ²: nominal 1 if c ≠ k; ordinal (Σ_{g=c..k} n_g − (n_c + n_k)/2)² over the sorted values; interval (c − k)².
 * @throws TypeError when ordinal or interval data holds a value that is not a finite number.
 */
export function krippendorffAlpha(units: readonly (readonly Rating[])[], level: AlphaLevel = 'nominal'): KrippendorffAlpha {
  return weightedAlpha(units.map((u) => ({ values: u.filter((v): v is Category => v != null), weight: 1 })), level);
}

/**
 * `krippendorffAlpha` over weighted units: a unit of weight w adds w times its coincidences, exactly as w
 * copies of it would (reviewer agreement weighs each distinct answer pattern by how many items share it).
 * `units` counts pairable units by weight.
 */
export function weightedAlpha(units: readonly { values: readonly Category[]; weight: number }[], level: AlphaLevel): KrippendorffAlpha {
  const pairableUnits = units.filter((u) => u.values.length >= 2 && u.weight > 0);
  const values = [...new Set(pairableUnits.flatMap((u) => u.values))];
  if (level !== 'nominal') {
    if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw new TypeError(`${level} alpha needs finite numeric values`);
    (values as number[]).sort((a, b) => a - b);
  }
  const index = new Map(values.map((v, i) => [v, i]));
  const o = values.map(() => values.map(() => 0));
  for (const unit of pairableUnits) {
    const counts = new Map<number, number>();
    for (const v of unit.values) {
      const i = index.get(v)!;
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    for (const [c, nc] of counts) {
      for (const [k, nk] of counts) o[c][k] += (unit.weight * nc * (c === k ? nk - 1 : nk)) / (unit.values.length - 1);
    }
  }
  const marginals = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = marginals.reduce((a, b) => a + b, 0);
  const base = { level, units: pairableUnits.reduce((sum, u) => sum + u.weight, 0), pairable: n, values };
  if (n < 2) return { ...base, alpha: null, observedDisagreement: null, expectedDisagreement: null };

  const delta2 = difference(level, values as number[], marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < values.length; c++) {
    for (let k = 0; k < values.length; k++) {
      observed += o[c][k] * delta2(c, k);
      expected += marginals[c] * marginals[k] * delta2(c, k);
    }
  }
  const observedDisagreement = observed / n;
  const expectedDisagreement = expected / (n * (n - 1));
  const alpha = expectedDisagreement === 0 ? null : 1 - observedDisagreement / expectedDisagreement;
  return { ...base, alpha, observedDisagreement, expectedDisagreement };
}

/** δ²_ck between the c-th and k-th value (indices into the sorted values for ordinal and interval). */
function difference(level: AlphaLevel, values: number[], marginals: number[]): (c: number, k: number) => number {
  if (level === 'nominal') return (c, k) => (c === k ? 0 : 1);
  if (level === 'interval') return (c, k) => (values[c] - values[k]) ** 2;
  // Cumulative marginals turn Σ_{g=c..k} n_g into one subtraction.
  const cumulative = [0];
  for (const m of marginals) cumulative.push(cumulative[cumulative.length - 1] + m);
  return (c, k) => {
    const [lo, hi] = c <= k ? [c, k] : [k, c];
    return (cumulative[hi + 1] - cumulative[lo] - (marginals[c] + marginals[k]) / 2) ** 2;
  };
}
