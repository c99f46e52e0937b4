import { api } from '$lib/server/api';
import type { Page, TraceSummary } from '$lib/types';
import { apiQuery, readFilters } from './filters';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async (event) => {
  const filters = readFilters(event.url.searchParams);
  const now = Date.now();
  const query = apiQuery(filters, now);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const page = await api<Page<TraceSummary>>(event, '/traces', { query: { ...query, limit: PAGE_SIZE, cursor } });
  return { page, filters, query, now, paged: !!cursor };
};
