import { FILTER_KEYS } from '$lib/filters/chips';
import { RANGES, readRange } from './filters';
import { readSort } from './sort';

/** The query for `GET /api/v1/traces`; the relative range becomes `from`, fixed when the list loads. */
export function apiQuery(q: URLSearchParams, now: number): URLSearchParams {
  const out = new URLSearchParams();
  const span = RANGES[readRange(q)];
  if (span !== null && !q.get('from')) out.set('from', String(now - span));
  for (const key of FILTER_KEYS) {
    const v = q.get(key)?.trim();
    if (v) out.set(key, v);
  }
  for (const e of q.getAll('eval')) if (e) out.append('eval', e);
  const { sort, order, sortEval } = readSort(q);
  if (sort !== 'time') out.set('sort', sort);
  if (order !== 'desc') out.set('order', order);
  if (sort === 'score' && sortEval) out.set('sortEval', sortEval);
  return out;
}
