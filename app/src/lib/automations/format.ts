import type { Quota, RuleAction, Sampling } from '$shared/automations';
import type { Target } from './types';

/** How a rule's settings read in lists and headings. Pure. */

/** 0.2 → "20 %", 0.005 → "0.5 %", 1 → "100 %". */
export function formatRate(rate: number): string {
  const p = rate * 100;
  return `${Number(p.toFixed(p < 1 && p > 0 ? 2 : 1))} %`;
}

export function samplingSummary(s: Sampling): string {
  if ('rate' in s) return s.rate === 1 ? 'every match' : formatRate(s.rate);
  return `${s.strata.length} strat${s.strata.length === 1 ? 'um' : 'a'}, else ${formatRate(s.otherwise)}`;
}

export function quotaSummary(q: Quota | null | undefined): string {
  return q ? `at most ${q.max.toLocaleString('en-US')} per ${q.per}` : 'no quota';
}

/** The queue or dataset an action names, with a readable name when it is known. */
export function actionTarget(a: RuleAction, queues: Target[], datasets: Target[]): { kind: 'queue' | 'dataset'; id: string; name: string; href: string; missing: boolean } {
  if (a.type === 'queue') {
    const q = queues.find((t) => t.id === a.queueId);
    return { kind: 'queue', id: a.queueId, name: q?.name ?? a.queueId, href: `/queues/${a.queueId}`, missing: !q };
  }
  const d = datasets.find((t) => t.id === a.datasetId);
  return { kind: 'dataset', id: a.datasetId, name: d?.name ?? a.datasetId, href: `/datasets/${a.datasetId}`, missing: !d };
}

/** The last `hours` UTC hours, oldest first, each with the API's bucket for it (null when it had no activity). */
export function hourlyBuckets<T extends { bucket: string }>(stats: T[], hours: number, now: number): { start: number; s: T | null }[] {
  const HOUR = 3_600_000;
  const last = Math.floor(now / HOUR) * HOUR;
  const byStart = new Map(stats.map((s) => [Date.parse(s.bucket), s]));
  const out: { start: number; s: T | null }[] = [];
  for (let t = last - (hours - 1) * HOUR; t <= last; t += HOUR) out.push({ start: t, s: byStart.get(t) ?? null });
  return out;
}
