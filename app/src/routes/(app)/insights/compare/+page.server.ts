import { api, apiFetch, readApiError } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { EvaluatorsResponse } from '$shared/insights';
import type { CompareResponse, DimensionsResponse } from '$shared/insights-segments';
import type { QueueResponse } from '$shared/queues';
import { filterParams } from '../params';
import { compareQuery, complete, readCompareSelection } from './selection';
import type { PageServerLoad } from './$types';

export type CompareResult = { ok: true; compare: CompareResponse } | { ok: false; status: number; message: string };

export const load: PageServerLoad = async (event) => {
  const q = event.url.searchParams;
  const dimsQuery = filterParams(q);
  if (q.get('queueId')) dimsQuery.set('queueId', q.get('queueId')!);
  const [catalog, queues, dimsRes] = await Promise.all([
    api<EvaluatorsResponse>(event, '/insights/evaluators'),
    api<Page<QueueResponse>>(event, '/queues', { query: { status: 'active' } }),
    apiFetch(event, '/insights/dimensions', { query: dimsQuery }),
  ]);
  // A filter the API refuses is reported with the comparison below; the pickers then offer no values.
  const dimensions = dimsRes.ok ? ((await dimsRes.json()) as DimensionsResponse) : null;
  const selection = readCompareSelection(q, catalog, dimensions);
  const compare = complete(selection)
    ? apiFetch(event, '/insights/compare', { query: compareQuery(selection, q) }).then(
        async (res): Promise<CompareResult> => (res.ok ? { ok: true, compare: (await res.json()) as CompareResponse } : { ok: false, status: res.status, message: (await readApiError(res)).message }),
      )
    : null;
  return {
    catalog,
    queues: queues.data.map((x) => ({ id: x.id, name: x.name })),
    dimensions,
    selection,
    // Streamed: the pickers show at once, the numbers follow.
    compare,
  };
};
