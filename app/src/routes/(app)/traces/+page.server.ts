import { error } from '@sveltejs/kit';
import { apiFetch, loginRedirect, readApiError } from '$lib/server/api';
import type { Page, TraceSummary } from '$lib/types';
import { apiQuery } from './api-query';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async (event) => {
  const now = Date.now();
  const query = apiQuery(event.url.searchParams, now);
  const cursor = event.url.searchParams.get('cursor');
  const full = new URLSearchParams(query);
  full.set('limit', String(PAGE_SIZE));
  if (cursor) full.set('cursor', cursor);
  const res = await apiFetch(event, '/traces', { query: full });
  if (res.status === 401) loginRedirect(event);
  // A filter the API cannot read (a hand-edited URL) is shown beside the filter bar, which can still fix it.
  if (res.status === 400) {
    const { message } = await readApiError(res);
    return { page: { data: [], nextCursor: null } as Page<TraceSummary>, problem: message, query: query.toString(), now, paged: !!cursor };
  }
  if (!res.ok) {
    const { code, message } = await readApiError(res);
    error(res.status, { message, code });
  }
  const page = (await res.json()) as Page<TraceSummary>;
  return { page, problem: null as string | null, query: query.toString(), now, paged: !!cursor };
};
