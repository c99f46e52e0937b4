import type { Category, Rating } from './kappa';

export interface ReviewerAgreement {
  reviewer: string;
  /** Items where this reviewer and at least one other labelled, and the others had a single most common label. */
  compared: number;
  /** Of those, the items where this reviewer gave that label. */
  agreed: number;
  /** agreed / compared; null when nothing was compared. */
  rate: number | null;
  /** Items skipped because two or more labels tied for most common among the others. */
  ties: number;
}

/**
 * How often each reviewer matches the majority of the *other* reviewers (leave-one-out, so a reviewer never
 * votes on their own reference). `items[i]` maps reviewer id → label for item i; missing or null labels do
 * not count. "Majority" is the plurality label of the others; ties are excluded and counted in `ties`.
 * Reviewers are returned in order of first appearance.
 */
export function agreementWithMajority(items: readonly Readonly<Record<string, Rating>>[]): ReviewerAgreement[] {
  const byReviewer = new Map<string, ReviewerAgreement>();
  for (const item of items) {
    const labelled = Object.entries(item).filter((e): e is [string, Category] => e[1] != null);
    for (const [reviewer, label] of labelled) {
      const row = byReviewer.get(reviewer) ?? { reviewer, compared: 0, agreed: 0, rate: null, ties: 0 };
      byReviewer.set(reviewer, row);
      const others = labelled.filter(([r]) => r !== reviewer).map(([, l]) => l);
      if (others.length === 0) continue;
      const majority = plurality(others);
      if (majority === undefined) {
        row.ties++;
        continue;
      }
      row.compared++;
      if (majority === label) row.agreed++;
    }
  }
  const result = [...byReviewer.values()];
  for (const row of result) row.rate = row.compared === 0 ? null : row.agreed / row.compared;
  return result;
}

/** The single most frequent label, or undefined when the top count is shared. */
function plurality(labels: Category[]): Category | undefined {
  const counts = new Map<Category, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  if (sorted.length > 1 && sorted[0][1] === sorted[1][1]) return undefined;
  return sorted[0][0];
}
