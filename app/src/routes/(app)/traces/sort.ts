import { parseEval } from '$lib/filters/chips';
import { hrefFor } from './filters';

/** The list's order, in the URL as the API names it: `sort`, `order` and, for scores, `sortEval`. */

export const SORTS = ['time', 'duration', 'cost', 'tokens', 'score'] as const;
export type SortKey = (typeof SORTS)[number];
export interface SortState {
  sort: SortKey;
  order: 'asc' | 'desc';
  sortEval: string | null;
}

export function readSort(q: URLSearchParams): SortState {
  const s = q.get('sort') ?? 'time';
  const sort = (SORTS as readonly string[]).includes(s) ? (s as SortKey) : 'time';
  const order = q.get('order') === 'asc' ? 'asc' : 'desc';
  const sortEval = sort === 'score' ? (q.get('sortEval') ?? parseEval(q.getAll('eval')[0] ?? '')?.name ?? null) : null;
  return { sort, order, sortEval };
}

/**
 * The link behind a sortable column header. A new column starts with the order people look for first
 * (largest durations and costs, lowest scores); the same column again flips the order.
 */
export function sortHref(q: URLSearchParams, sort: SortKey, sortEval?: string): string {
  const cur = readSort(q);
  const same = cur.sort === sort && (sort !== 'score' || cur.sortEval === sortEval);
  const order = same ? (cur.order === 'asc' ? 'desc' : 'asc') : sort === 'score' ? 'asc' : 'desc';
  const next = new URLSearchParams(q);
  next.delete('cursor');
  next.delete('sortEval');
  if (sort === 'time' && order === 'desc') {
    next.delete('sort');
    next.delete('order');
  } else {
    next.set('sort', sort);
    next.set('order', order);
    if (sort === 'score' && sortEval) next.set('sortEval', sortEval);
  }
  return hrefFor(next);
}
