import { api } from '$lib/server/api';
import type { DatasetResponse } from '$shared/datasets';
import type { Page } from '$lib/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const list = await api<Page<DatasetResponse>>(event, '/datasets');
  return { datasets: list.data, now: Date.now() };
};
