import { FILTER_KEYS } from '$lib/filters/chips';

/** What the agreement page shows, as its URL says it: the queue, a field, which disagreements, explorer filters. Pure. */

export const DISAGREEMENTS_PAGE = 20;

const FILTERS = new Set<string>([...FILTER_KEYS, 'eval']);

/** The explorer filters of the URL, kept as they are. */
export function filterParams(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of q) if (FILTERS.has(k) && v) out.append(k, v);
  return out;
}

/** The API query for the page's URL: queue, field, disagreement state and explorer filters, nothing else. */
export function agreementQuery(q: URLSearchParams, queueId: string): URLSearchParams {
  const out = filterParams(q);
  out.set('queueId', queueId);
  const field = q.get('field');
  if (field) out.set('field', field);
  const adjudicated = q.get('adjudicated');
  if (adjudicated === 'true' || adjudicated === 'false') out.set('adjudicated', adjudicated);
  return out;
}

/** The page's URL with `changes` applied (null removes a key). */
export function hrefWith(q: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(q);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') next.delete(k);
    else next.set(k, v);
  }
  const s = next.toString();
  return s ? `?${s}` : '?';
}

/** The same filters in the traces explorer. */
export const explorerHref = (q: URLSearchParams) => `/traces?${filterParams(q)}`;

/** The page's URL without its explorer filters. */
export function withoutFilters(q: URLSearchParams): string {
  const next = new URLSearchParams([...q].filter(([k]) => !FILTERS.has(k)));
  return `?${next}`;
}
