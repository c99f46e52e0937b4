import { filterParams } from '../params';

/** What the agreement page shows, as its URL says it: the queue, a field, which disagreements, explorer filters. Pure. */

export const DISAGREEMENTS_PAGE = 20;

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
