/** A nominal rating: a label option, a score bucket or a pass/fail boolean. Compared with `===`. */
export type Category = string | number | boolean;

/** A rating that may be missing. */
export type Rating = Category | null | undefined;

/** Numbers categories in order of first appearance. */
function categoryIndex() {
  const categories: Category[] = [];
  const index = new Map<Category, number>();
  const of = (c: Category): number => {
    let i = index.get(c);
    if (i === undefined) index.set(c, (i = categories.push(c) - 1));
    return i;
  };
  return { categories, of };
}

/** Cohen's κ with its large-sample standard error; every field is `null` when it is undefined. */
export interface KappaEstimate {
  /** Items in the table. */
  n: number;
  /** pₒ, the share of items on the diagonal. */
  observedAgreement: number | null;
  /** pₑ, the agreement expected from the two raters' marginals alone. */
  expectedAgreement: number | null;
  kappa: number | null;
  se: number | null;
  /** κ ± 1.96·SE, clipped to [−1, 1]. */
  ci95: [number, number] | null;
}

export interface CohensKappa extends KappaEstimate {
  /** Categories in order of first appearance; the rows (rater A) and columns (rater B) of `table`. */
  categories: Category[];
  table: number[][];
}

/**
 * Cohen's κ = (pₒ − pₑ)/(1 − pₑ) from a square agreement table (rows: rater A, columns: rater B, counts).
 * `kappa` is null when pₑ = 1 — both raters used one and the same category for every item, so agreement
 * cannot be told apart from chance. The SE is the large-sample (non-null) one of Fleiss, Cohen & Everitt,
 * "Large sample standard errors of kappa and weighted kappa", Psychol. Bull. 72(5), 1969 — the ASE that
 * SAS PROC FREQ and Fleiss, Levin & Paik (2003, §18.1) use for confidence intervals:
 *   Var(κ) = [Σᵢ pᵢᵢ(1 − (pᵢ. + p.ᵢ)(1 − κ))² + (1 − κ)² Σᵢ≠ⱼ pᵢⱼ(p.ᵢ + pⱼ.)² − (κ − pₑ(1 − κ))²] / (n(1 − pₑ)²).
 * @throws RangeError when the table is not square.
 */
export function kappaFromTable(table: readonly (readonly number[])[]): KappaEstimate {
  const k = table.length;
  if (table.some((row) => row.length !== k)) throw new RangeError('agreement table must be square');
  const n = table.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) return { n, observedAgreement: null, expectedAgreement: null, kappa: null, se: null, ci95: null };
  const p = table.map((row) => row.map((c) => c / n));
  const rows = p.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = p[0].map((_, j) => p.reduce((sum, row) => sum + row[j], 0));
  const po = p.reduce((sum, row, i) => sum + row[i], 0);
  const pe = rows.reduce((sum, r, i) => sum + r * cols[i], 0);
  // Compare with a tolerance: pₑ is a sum of products of fractions and may land a hair below 1.
  if (pe > 1 - 1e-12) return { n, observedAgreement: po, expectedAgreement: pe, kappa: null, se: null, ci95: null };
  const kappa = (po - pe) / (1 - pe);
  let a = 0;
  let b = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) a += p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2;
      else b += p[i][j] * (cols[i] + rows[j]) ** 2;
    }
  }
  const variance = (a + (1 - kappa) ** 2 * b - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2);
  const se = Math.sqrt(Math.max(0, variance));
  const ci95: [number, number] = [Math.max(-1, kappa - 1.96 * se), Math.min(1, kappa + 1.96 * se)];
  return { n, observedAgreement: po, expectedAgreement: pe, kappa, se, ci95 };
}

/**
 * Cohen's κ for two raters over nominal categories: `a[i]` and `b[i]` are the two ratings of item i.
 * Items that either rater left unrated (null/undefined) are excluded. See {@link kappaFromTable}.
 * @throws RangeError when the arrays differ in length.
 */
export function cohensKappa(a: readonly Rating[], b: readonly Rating[]): CohensKappa {
  if (a.length !== b.length) throw new RangeError('the two raters rate different numbers of items');
  const { categories, of } = categoryIndex();
  const pairs: [number, number][] = [];
  a.forEach((x, i) => {
    const y = b[i];
    if (x != null && y != null) pairs.push([of(x), of(y)]);
  });
  const table = categories.map(() => categories.map(() => 0));
  for (const [i, j] of pairs) table[i][j]++;
  return { ...kappaFromTable(table), categories, table };
}

export interface FleissKappaEstimate {
  items: number;
  /** Ratings per item (the same for every item). */
  raters: number;
  /** pⱼ, the share of all ratings given to each category (same order as the count columns). */
  proportions: number[];
  /** P̄, the mean share of agreeing rater pairs per item. */
  observedAgreement: number | null;
  /** P̄ₑ = Σ pⱼ². */
  expectedAgreement: number | null;
  /** (P̄ − P̄ₑ)/(1 − P̄ₑ); null when every rating is the same category (P̄ₑ = 1) or there are no items. */
  kappa: number | null;
}

export interface FleissKappa extends FleissKappaEstimate {
  /** Categories in order of first appearance; the columns behind `proportions`. */
  categories: Category[];
}

/**
 * Fleiss' κ from a subjects × categories count table: `counts[i][j]` raters put item i in category j.
 * Fleiss, "Measuring nominal scale agreement among many raters", Psychol. Bull. 76(5), 1971. The formula
 * assumes every item has the same number m ≥ 2 of ratings (the raters themselves may differ per item).
 * @throws RangeError when row totals differ or are below 2.
 */
export function fleissKappaFromCounts(counts: readonly (readonly number[])[]): FleissKappaEstimate {
  const totals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const m = totals[0] ?? 0;
  if (totals.some((t) => t !== m)) throw new RangeError("Fleiss' kappa needs the same number of ratings for every item");
  const items = counts.length;
  if (items === 0) return { items, raters: 0, proportions: [], observedAgreement: null, expectedAgreement: null, kappa: null };
  if (m < 2) throw new RangeError("Fleiss' kappa needs at least two ratings per item");
  const proportions = counts[0].map((_, j) => counts.reduce((sum, row) => sum + row[j], 0) / (items * m));
  const perItem = counts.map((row) => (row.reduce((sum, c) => sum + c * c, 0) - m) / (m * (m - 1)));
  const observed = perItem.reduce((a, b) => a + b, 0) / items;
  const expected = proportions.reduce((sum, p) => sum + p * p, 0);
  const kappa = expected > 1 - 1e-12 ? null : (observed - expected) / (1 - expected);
  return { items, raters: m, proportions, observedAgreement: observed, expectedAgreement: expected, kappa };
}

/**
 * Fleiss' κ from the ratings of each item (`items[i]` = the labels item i received, raters unnamed).
 * Missing ratings (null/undefined) are not counted, so an item missing one is rejected like any item
 * with a different number of ratings. See {@link fleissKappaFromCounts}.
 */
export function fleissKappa(items: readonly (readonly Rating[])[]): FleissKappa {
  const { categories, of } = categoryIndex();
  const rated = items.map((labels) => labels.flatMap((c) => (c == null ? [] : [of(c)])));
  const counts = rated.map((labels) => {
    const row = categories.map(() => 0);
    for (const j of labels) row[j]++;
    return row;
  });
  return { ...fleissKappaFromCounts(counts), categories };
}
