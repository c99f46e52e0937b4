import type { KappaSummary, PairKappa, ReviewerAgreementRow, ReviewerRef, ScaleAgreement } from '../schemas/insights-agreement';
import { MIN_PAIR_ITEMS } from '../schemas/insights-agreement';
import { weightedAlpha } from './stats/alpha';
import { fleissKappaFromCounts, kappaFromTable, type Category } from './stats/kappa';
import { agreementWithMajority } from './stats/majority';
import { wilsonInterval } from './stats/wilson';

/**
 * Agreement statistics of one scale (a field, or one option of a multi-select field) from weighted
 * units: items with the same ratings (same reviewers, same values, same adjudication) are one unit
 * with a weight, so a queue of 100,000 reviews is a few dozen units. No I/O. Ratings are categories
 * compared with `===`, so callers turn sets into strings.
 */

export interface Rated {
  reviewerId: string;
  value: Category;
}

export interface Unit {
  ratings: Rated[];
  /** The adjudicated value, when an admin chose one. */
  adjudicated?: Category;
  /** How many items have exactly these ratings. */
  weight: number;
}

/** Whether every rating of the unit is the same value. */
export const unanimous = (u: Unit): boolean => u.ratings.every((r) => r.value === u.ratings[0].value);

const sum = (units: readonly Unit[]) => units.reduce((s, u) => s + u.weight, 0);

/** Cohen's κ between two reviewers over the units both rated, from the weighted agreement table. */
function pairKappa(units: readonly Unit[], a: string, b: string): KappaSummary {
  const categories = new Map<Category, number>();
  const of = (c: Category) => categories.get(c) ?? categories.set(c, categories.size).get(c)!;
  const cells: [number, number, number][] = [];
  for (const u of units) {
    const x = u.ratings.find((r) => r.reviewerId === a);
    const y = u.ratings.find((r) => r.reviewerId === b);
    if (x && y) cells.push([of(x.value), of(y.value), u.weight]);
  }
  const table = [...categories.keys()].map(() => [...categories.keys()].map(() => 0));
  for (const [i, j, w] of cells) table[i][j] += w;
  const { kappa, se, ci95, n } = kappaFromTable(table);
  return { kappa, se, ci95, n };
}

/** The number of ratings most items have (the larger one on a tie): Fleiss' κ needs one per item. */
function modalCount(units: readonly Unit[]): number {
  const counts = new Map<number, number>();
  for (const u of units) counts.set(u.ratings.length, (counts.get(u.ratings.length) ?? 0) + u.weight);
  return [...counts].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0]?.[0] ?? 0;
}

/** Fleiss' κ over the units with `raters` ratings: each unit's count row, repeated by weight (the rows are shared, not copied). */
function fleiss(units: readonly Unit[], raters: number): { kappa: number | null; items: number; raters: number } {
  const used = units.filter((u) => u.ratings.length === raters);
  const categories = [...new Set(used.flatMap((u) => u.ratings.map((r) => r.value)))];
  const rows: number[][] = [];
  for (const u of used) {
    const row = categories.map((c) => u.ratings.filter((r) => r.value === c).length);
    for (let i = 0; i < u.weight; i++) rows.push(row);
  }
  return { kappa: fleissKappaFromCounts(rows).kappa, items: rows.length, raters };
}

/**
 * Percent agreement (with a Wilson interval), mean pairwise agreement, Cohen's κ (two reviewers) or
 * pairwise Cohen's κ (more), Fleiss' κ and Krippendorff's α over the units with two or more ratings.
 */
export function scaleAgreement(units: readonly Unit[], numeric: boolean, name: (id: string) => ReviewerRef): ScaleAgreement {
  const overlapping = units.filter((u) => u.ratings.length >= 2);
  const n = sum(overlapping);
  const agreed = sum(overlapping.filter(unanimous));
  let pairShare = 0;
  for (const u of overlapping) {
    const m = u.ratings.length;
    const counts = new Map<Category, number>();
    for (const r of u.ratings) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
    pairShare += (u.weight * [...counts.values()].reduce((s, c) => s + c * (c - 1), 0)) / (m * (m - 1));
  }

  const reviewers = [...new Set(overlapping.flatMap((u) => u.ratings.map((r) => r.reviewerId)))].sort();
  let cohen: ScaleAgreement['cohen'] = null;
  const pairs: PairKappa[] = [];
  if (reviewers.length === 2) {
    const [a, b] = reviewers;
    cohen = { ...pairKappa(overlapping, a, b), a: name(a), b: name(b) };
  } else if (reviewers.length > 2) {
    const shared = new Map<string, number>();
    for (const u of overlapping) {
      const ids = u.ratings.map((r) => r.reviewerId).sort();
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) shared.set(`${ids[i]}\n${ids[j]}`, (shared.get(`${ids[i]}\n${ids[j]}`) ?? 0) + u.weight);
    }
    for (const [key, count] of [...shared].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      if (count < MIN_PAIR_ITEMS) continue;
      const [a, b] = key.split('\n');
      pairs.push({ ...pairKappa(overlapping, a, b), a: name(a), b: name(b) });
    }
  }

  const weighted = overlapping.map((u) => ({ values: u.ratings.map((r) => r.value), weight: u.weight }));
  const alpha = (numeric ? (['interval', 'ordinal'] as const) : (['nominal'] as const)).map((level) => {
    const { alpha, units, pairable } = weightedAlpha(weighted, level);
    return { level, alpha, units, pairable };
  });

  return {
    n,
    percentAgreement: wilsonInterval(agreed, n),
    pairwiseAgreement: n ? pairShare / n : null,
    cohen,
    pairs,
    fleiss: n ? fleiss(overlapping, modalCount(overlapping)) : null,
    alpha,
  };
}

/**
 * Each reviewer against the majority of the other reviewers of the same items (leave-one-out, ties
 * excluded; `agreementWithMajority` per distinct unit, times its weight), and against the adjudicated
 * value where there is one. Ordered by reviewer name.
 */
export function reviewerAgreement(units: readonly Unit[], name: (id: string) => ReviewerRef): ReviewerAgreementRow[] {
  const rows = new Map<string, Omit<ReviewerAgreementRow, 'rate' | keyof ReviewerRef>>();
  const row = (id: string) => rows.get(id) ?? rows.set(id, { items: 0, compared: 0, agreed: 0, ties: 0, adjudicated: { compared: 0, agreed: 0 } }).get(id)!;
  for (const u of units) {
    if (u.ratings.length >= 2) {
      for (const m of agreementWithMajority([Object.fromEntries(u.ratings.map((r) => [r.reviewerId, r.value]))])) {
        const r = row(m.reviewer);
        r.items += u.weight;
        r.compared += m.compared * u.weight;
        r.agreed += m.agreed * u.weight;
        r.ties += m.ties * u.weight;
      }
    }
    if (u.adjudicated === undefined) continue;
    for (const rating of u.ratings) {
      const r = row(rating.reviewerId);
      r.adjudicated.compared += u.weight;
      if (rating.value === u.adjudicated) r.adjudicated.agreed += u.weight;
    }
  }
  return [...rows]
    .map(([id, r]) => ({ ...name(id), ...r, rate: wilsonInterval(r.agreed, r.compared) }))
    .sort((a, b) => a.reviewerName.localeCompare(b.reviewerName) || a.reviewerId.localeCompare(b.reviewerId));
}
