import { describe, expect, it } from 'vitest';
import { cohensKappa, fleissKappa, fleissKappaFromCounts, kappaFromTable } from '../../../../worker/insights/stats/kappa';

/** Expands a count table into paired ratings, so cohensKappa is exercised on raw labels. */
function ratingsFrom(table: number[][], names: string[]): [string[], string[]] {
  const a: string[] = [];
  const b: string[] = [];
  table.forEach((row, i) =>
    row.forEach((count, j) => {
      a.push(...Array<string>(count).fill(names[i]));
      b.push(...Array<string>(count).fill(names[j]));
    }),
  );
  return [a, b];
}

describe('cohensKappa', () => {
  it('reproduces the Wikipedia "Cohen\'s kappa" worked example (20/5/10/15 → pₒ 0.7, pₑ 0.5, κ 0.4)', () => {
    // en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example": 50 grant proposals, A yes/B yes 20,
    // A yes/B no 5, A no/B yes 10, both no 15.
    const r = cohensKappa(...ratingsFrom([[20, 5], [10, 15]], ['yes', 'no']));
    expect(r.n).toBe(50);
    expect(r.observedAgreement).toBeCloseTo(0.7, 12);
    expect(r.expectedAgreement).toBeCloseTo(0.5, 12);
    expect(r.kappa).toBeCloseTo(0.4, 12);
  });

  it('reproduces Wikipedia\'s "same agreement, different κ" pair (0.1304 and 0.2593)', () => {
    // Same article, "Same percentages but different numbers": both tables have pₒ = 0.60.
    expect(kappaFromTable([[45, 15], [25, 15]]).kappa).toBeCloseTo(0.1304, 4);
    expect(kappaFromTable([[25, 35], [5, 35]]).kappa).toBeCloseTo(0.2593, 4);
  });

  it('reproduces the SAS PROC FREQ skin-condition example: κ 0.3449, ASE 0.0724, CI 0.2030–0.4868', () => {
    // SAS/STAT User's Guide, The FREQ Procedure, Getting Started "Agreement Study" (Table "Skin Condition
    // Data", 4 categories, 88 patients). SAS's ASE is the Fleiss–Cohen–Everitt (1969) large-sample SE.
    const table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]];
    const r = cohensKappa(...ratingsFrom(table, ['terrible', 'poor', 'marginal', 'clear']));
    expect(r.n).toBe(88);
    expect(r.kappa).toBeCloseTo(0.3449, 4);
    expect(r.se).toBeCloseTo(0.0724, 4);
    expect(r.ci95![0]).toBeCloseTo(0.203, 4);
    expect(r.ci95![1]).toBeCloseTo(0.4868, 4);
    expect(r.table).toEqual(table);
  });

  it('excludes items either rater left unrated', () => {
    const r = cohensKappa(['a', 'b', null, 'a', 'b'], ['a', 'b', 'a', undefined, 'b']);
    expect(r.n).toBe(3);
    expect(r.kappa).toBe(1);
  });

  it('gives κ = 1 with zero SE for perfect agreement over two or more categories', () => {
    const r = cohensKappa(['pass', 'fail', 'pass'], ['pass', 'fail', 'pass']);
    expect(r.kappa).toBe(1);
    expect(r.se).toBe(0);
    expect(r.ci95).toEqual([1, 1]);
  });

  it('leaves κ undefined (null) when both raters used a single category, though they agree on everything', () => {
    const r = cohensKappa(['pass', 'pass', 'pass'], ['pass', 'pass', 'pass']);
    expect(r.observedAgreement).toBe(1);
    expect(r.expectedAgreement).toBe(1);
    expect(r.kappa).toBeNull();
    expect(r.ci95).toBeNull();
  });

  it('returns nulls for no rated items and rejects mismatched or non-square input', () => {
    expect(cohensKappa([], [])).toMatchObject({ n: 0, kappa: null, se: null, categories: [] });
    expect(() => cohensKappa(['a'], [])).toThrow(RangeError);
    expect(() => kappaFromTable([[1, 2]])).toThrow(RangeError);
  });
});

describe('fleissKappa', () => {
  // en.wikipedia.org/wiki/Fleiss%27_kappa, "Worked example": 10 subjects, 14 raters, 5 categories.
  // Published: pⱼ = 0.143, 0.200, 0.279, 0.150, 0.229; P̄ = 0.378; P̄ₑ = 0.213; κ = 0.210.
  const wikipedia = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];

  it('reproduces the Wikipedia worked example (κ = 0.210)', () => {
    const r = fleissKappaFromCounts(wikipedia);
    expect(r).toMatchObject({ items: 10, raters: 14 });
    [0.143, 0.2, 0.279, 0.15, 0.229].forEach((p, j) => expect(r.proportions[j]).toBeCloseTo(p, 3));
    expect(r.observedAgreement).toBeCloseTo(0.378, 3);
    expect(r.expectedAgreement).toBeCloseTo(0.213, 3);
    expect(r.kappa).toBeCloseTo(0.21, 3);
  });

  it('gives the same κ from the raw labels of each item', () => {
    const labels = wikipedia.map((row) => row.flatMap((count, j) => Array<number>(count).fill(j + 1)));
    expect(fleissKappa(labels).kappa).toBeCloseTo(fleissKappaFromCounts(wikipedia).kappa!, 12);
  });

  it('rejects items with different numbers of ratings, including one with a missing rating', () => {
    expect(() => fleissKappa([['a', 'b', 'a'], ['a', 'b']])).toThrow(RangeError);
    expect(() => fleissKappa([['a', 'b', 'a'], ['a', null, 'b']])).toThrow(RangeError);
    expect(() => fleissKappa([['a'], ['b']])).toThrow(RangeError);
  });

  it('handles all-agree, single-category and empty input explicitly', () => {
    expect(fleissKappa([['a', 'a', 'a'], ['b', 'b', 'b']]).kappa).toBe(1);
    expect(fleissKappa([['a', 'a'], ['a', 'a']])).toMatchObject({ observedAgreement: 1, kappa: null });
    expect(fleissKappa([])).toMatchObject({ items: 0, kappa: null });
  });
});
