/**
 * The explorer's state lives in the URL query, in the API's own parameter names (`GET /api/v1/traces`),
 * so a link reproduces the view and the server passes it on as is. The filter chips themselves are
 * `$lib/filters/chips`; this is the explorer's part: time range, links, presets. Pure functions.
 */
import { applyFilterChange, readChips, removalOf, type Chip, type FilterChange, type FilterKey } from '$lib/filters/chips';

export const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_LABEL: Record<RangeKey, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
};

export function readRange(q: URLSearchParams): RangeKey {
  const r = q.get('range') ?? 'all';
  return r in RANGES ? (r as RangeKey) : 'all';
}

export function isFiltered(q: URLSearchParams): boolean {
  return readRange(q) !== 'all' || readChips(q).length > 0;
}

/** `?…` for these params, or the bare list when nothing is left; paging always starts over. */
export function hrefFor(q: URLSearchParams): string {
  const next = new URLSearchParams(q);
  next.delete('cursor');
  const s = next.toString();
  return s ? `?${s}` : '/traces';
}

export function applyChange(q: URLSearchParams, change: FilterChange): URLSearchParams {
  const next = applyFilterChange(q, change);
  next.delete('cursor');
  // A score sort needs its evaluator; if its last condition went, fall back to time order.
  if (next.get('sort') === 'score' && !next.get('sortEval') && !next.getAll('eval').length) {
    next.delete('sort');
    next.delete('order');
  }
  return next;
}

export function withoutChip(q: URLSearchParams, chip: Chip): string {
  return hrefFor(applyChange(q, removalOf(chip)));
}

/** Everything filter-related cleared; the time range and sort stay. */
export function clearedHref(q: URLSearchParams): string {
  const next = new URLSearchParams();
  for (const k of ['range', 'sort', 'order', 'sortEval']) {
    const v = q.get(k);
    if (v) next.set(k, v);
  }
  if (next.get('sort') === 'score' && !next.get('sortEval')) {
    next.delete('sort');
    next.delete('order');
  }
  return hrefFor(next);
}

/** Quick views; each toggles one filter. */
export const PRESETS: { label: string; title: string; key: FilterKey; value: string; icon?: 'up' | 'down' }[] = [
  { label: 'Errors', title: 'Traces with at least one failed span', key: 'hasError', value: 'true' },
  { label: 'Thumbs down', title: 'Traces an end user gave a thumbs down', key: 'feedback', value: 'down', icon: 'down' },
  { label: 'Low faithfulness', title: 'A faithfulness score below 0.5', key: 'eval', value: 'faithfulness:lt:0.5' },
  { label: 'Slow', title: 'Latency of 5 s or more', key: 'minDurationMs', value: '5000' },
];

export function presetActive(q: URLSearchParams, p: (typeof PRESETS)[number]): boolean {
  return q.getAll(p.key).includes(p.value);
}

export function togglePreset(q: URLSearchParams, p: (typeof PRESETS)[number]): string {
  return hrefFor(
    presetActive(q, p)
      ? applyChange(q, { remove: [{ key: p.key, value: p.value }] })
      : applyChange(q, { set: [{ key: p.key, value: p.value }] }),
  );
}
