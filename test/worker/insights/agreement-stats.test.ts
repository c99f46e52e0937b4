import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reviewerAgreement, scaleAgreement, type Unit } from '../../../worker/insights/agreement-stats';
import { weightedAlpha } from '../../../worker/insights/stats/alpha';
import { krippendorffAlpha } from '../../../worker/insights/stats/alpha';
import { cohensKappa, fleissKappa } from '../../../worker/insights/stats/kappa';
import { agreementWithMajority } from '../../../worker/insights/stats/majority';

const name = (id: string) => ({ reviewerId: id, reviewerName: id });
const REVIEWERS = ['ann', 'bob', 'cat', 'dan'];

/** Units of 1–4 distinct reviewers rating values 1–4, each with a weight of 1–5. */
const units = fc.array(
  fc.record({
    ratings: fc.subarray(REVIEWERS, { minLength: 1 }).chain((ids) => fc.tuple(...ids.map((id) => fc.integer({ min: 1, max: 4 }).map((value) => ({ reviewerId: id, value }))))),
    weight: fc.integer({ min: 1, max: 5 }),
    adjudicated: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  }),
  { maxLength: 12 },
);

/** Every unit repeated `weight` times, as the published functions take them. */
const expand = (list: Unit[]) => list.flatMap((u) => Array.from({ length: u.weight }, () => u));

describe('weightedAlpha', () => {
  it("reproduces Krippendorff's published example (nominal 0.743, ordinal 0.815, interval 0.849) with repeated units as weights", () => {
    const _ = null;
    const coders = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
      [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
    ];
    // Units 3 and 4 are both (3, 3, 3, 3): one unit of weight 2.
    const all = coders[0].map((_, u) => coders.map((row) => row[u]).filter((v): v is number => v !== null));
    const weighted = all.filter((_, u) => u !== 3).map((values, i) => ({ values, weight: i === 2 ? 2 : 1 }));
    expect(weightedAlpha(weighted, 'nominal')).toMatchObject({ alpha: expect.closeTo(0.743, 3), units: 11, pairable: 40 });
    expect(weightedAlpha(weighted, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(weightedAlpha(weighted, 'interval').alpha).toBeCloseTo(0.849, 3);
  });

  it('equals krippendorffAlpha on the expanded units, at every level', () => {
    fc.assert(
      fc.property(units, (list) => {
        for (const level of ['nominal', 'ordinal', 'interval'] as const) {
          const w = weightedAlpha(list.map((u) => ({ values: u.ratings.map((r) => r.value), weight: u.weight })), level);
          const plain = krippendorffAlpha(expand(list).map((u) => u.ratings.map((r) => r.value)), level);
          if (plain.alpha === null) expect(w.alpha).toBeNull();
          else expect(w.alpha).toBeCloseTo(plain.alpha, 9);
          expect(w.units).toBe(plain.units);
          expect(w.pairable).toBeCloseTo(plain.pairable, 9);
        }
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});

describe('scaleAgreement', () => {
  it("gives the published functions' κ on the expanded items (Cohen for two reviewers, Fleiss over the modal count)", () => {
    fc.assert(
      fc.property(units, (list) => {
        const r = scaleAgreement(list, true, name);
        const flat = expand(list).filter((u) => u.ratings.length >= 2);
        expect(r.n).toBe(flat.length);
        expect(r.percentAgreement?.estimate ?? null).toBe(flat.length ? flat.filter((u) => u.ratings.every((x) => x.value === u.ratings[0].value)).length / flat.length : null);
        if (r.cohen) {
          const [a, b] = [r.cohen.a.reviewerId, r.cohen.b.reviewerId];
          const value = (u: Unit, id: string) => u.ratings.find((x) => x.reviewerId === id)?.value;
          const k = cohensKappa(flat.map((u) => value(u, a)), flat.map((u) => value(u, b)));
          if (k.kappa === null) expect(r.cohen.kappa).toBeNull();
          else expect(r.cohen.kappa).toBeCloseTo(k.kappa, 9);
        }
        if (r.fleiss) {
          const k = fleissKappa(flat.filter((u) => u.ratings.length === r.fleiss!.raters).map((u) => u.ratings.map((x) => x.value)));
          expect(r.fleiss.items).toBe(k.items);
          if (k.kappa === null) expect(r.fleiss.kappa).toBeNull();
          else expect(r.fleiss.kappa).toBeCloseTo(k.kappa, 9);
        }
      }),
      { seed: 9, numRuns: 300 },
    );
  });
});

describe('reviewerAgreement', () => {
  it('counts agreement with the majority as agreementWithMajority does on the expanded items, and agreement with adjudications', () => {
    fc.assert(
      fc.property(units, (list) => {
        const rows = reviewerAgreement(list, name);
        const flat = expand(list).filter((u) => u.ratings.length >= 2);
        const plain = agreementWithMajority(flat.map((u) => Object.fromEntries(u.ratings.map((x) => [x.reviewerId, x.value]))));
        for (const p of plain) expect(rows.find((r) => r.reviewerId === p.reviewer)).toMatchObject({ compared: p.compared, agreed: p.agreed, ties: p.ties });
        for (const row of rows) {
          const adjudicated = expand(list).filter((u) => u.adjudicated !== undefined && u.ratings.some((x) => x.reviewerId === row.reviewerId));
          const agreed = adjudicated.filter((u) => u.ratings.find((x) => x.reviewerId === row.reviewerId)!.value === u.adjudicated).length;
          expect(row.adjudicated).toEqual({ compared: adjudicated.length, agreed });
        }
      }),
      { seed: 10, numRuns: 200 },
    );
  });
});
