import { describe, expect, it } from 'vitest';
import { agreementWithMajority } from '../../../../worker/insights/stats/majority';

describe('agreementWithMajority', () => {
  it('compares each reviewer with the majority of the others, counted by hand', () => {
    const items = [
      { ann: 'pass', bob: 'pass', cat: 'pass' }, // everyone agrees with the other two
      { ann: 'fail', bob: 'pass', cat: 'pass' }, // ann disagrees; bob's others (ann, cat) tie; so do cat's
      { ann: 'fail', bob: 'fail', cat: 'pass', dan: 'fail' }, // cat disagrees with 3 × fail
      { ann: 'pass', bob: null }, // only ann labelled: nobody to compare with
    ];
    expect(agreementWithMajority(items)).toEqual([
      { reviewer: 'ann', compared: 3, agreed: 2, rate: 2 / 3, ties: 0 },
      { reviewer: 'bob', compared: 2, agreed: 2, rate: 1, ties: 1 },
      { reviewer: 'cat', compared: 2, agreed: 1, rate: 1 / 2, ties: 1 },
      { reviewer: 'dan', compared: 1, agreed: 1, rate: 1, ties: 0 },
    ]);
  });

  it('uses the plurality among three or more labels and excludes a tie for first place', () => {
    const items = [
      { a: 'x', b: 'x', c: 'y', d: 'z' }, // a's others: x, y, z → tie; b's: x, y, z → tie; c's: x, x, z → x
      { a: 'x', b: 'y', c: 'y', d: 'z', e: 'z' }, // a's others: y, y, z, z → tie; c's: x, y, z, z → z
    ];
    const byReviewer = Object.fromEntries(agreementWithMajority(items).map((r) => [r.reviewer, r]));
    expect(byReviewer.a).toMatchObject({ compared: 0, ties: 2, rate: null });
    expect(byReviewer.c).toMatchObject({ compared: 2, agreed: 0, ties: 0 });
  });

  it('returns nothing for no items and null rates for lone reviewers', () => {
    expect(agreementWithMajority([])).toEqual([]);
    expect(agreementWithMajority([{ solo: true }])).toEqual([{ reviewer: 'solo', compared: 0, agreed: 0, rate: null, ties: 0 }]);
  });
});
