import { api, apiFetch, readApiError } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { EvaluatorsResponse } from '$shared/insights';
import type { DimensionsResponse, TrendsResponse } from '$shared/insights-segments';
import type { QueueResponse } from '$shared/queues';
import type { RequestEvent } from '@sveltejs/kit';
import { filterParams } from '../params';
import { readTrendSelection, trendsQuery } from './selection';
import type { PageServerLoad } from './$types';

export type TrendsResult = { ok: true; trends: TrendsResponse } | { ok: false; status: number; message: string };

/** A refusal the user can fix (a filter the API cannot read, a field that cannot be counted) is shown in place. */
async function fetchJson<T>(event: RequestEvent, path: string, query: URLSearchParams): Promise<{ ok: true; body: T } | { ok: false; status: number; message: string }> {
  const res = await apiFetch(event, path, { query });
  if (!res.ok) return { ok: false, status: res.status, message: (await readApiError(res)).message };
  return { ok: true, body: (await res.json()) as T };
}

export const load: PageServerLoad = async (event) => {
  const q = event.url.searchParams;
  const [catalog, queues] = await Promise.all([
    api<EvaluatorsResponse>(event, '/insights/evaluators'),
    api<Page<QueueResponse>>(event, '/queues', { query: { status: 'active' } }),
  ]);
  const selection = readTrendSelection(q, catalog);
  const now = Date.now();
  const trends = fetchJson<TrendsResponse>(event, '/insights/trends', trendsQuery(selection, q, now)).then(
    (r): TrendsResult => (r.ok ? { ok: true, trends: r.body } : r),
  );
  // Filter suggestions: the project's own values under the same filters; the page works without them.
  const dims = new URLSearchParams(filterParams(q));
  if (selection.queueId) dims.set('queueId', selection.queueId);
  const dimensions = fetchJson<DimensionsResponse>(event, '/insights/dimensions', dims).then((r) => (r.ok ? r.body : null));
  return {
    catalog,
    queues: queues.data.map((x) => ({ id: x.id, name: x.name })),
    selection,
    now,
    // Streamed: the controls show at once, the numbers follow.
    trends,
    dimensions,
  };
};
