import { api } from '$lib/server/api';
import type { DatasetResponse, RecordResponse, VersionResponse } from '$shared/datasets';
import type { Page } from '$lib/types';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

/** The dataset, its history and one page of records as of the version in the URL (or the newest). */
export const load: PageServerLoad = async (event) => {
  const id = encodeURIComponent(event.params.datasetId);
  const sp = event.url.searchParams;
  const view = {
    version: sp.get('version') ? Number(sp.get('version')) : null,
    q: sp.get('q') ?? '',
    change: (sp.get('change') === 'added' || sp.get('change') === 'removed' ? sp.get('change') : null) as 'added' | 'removed' | null,
    cursor: sp.get('cursor'),
  };
  const [dataset, versions, records] = await Promise.all([
    api<DatasetResponse>(event, `/datasets/${id}`),
    api<Page<VersionResponse>>(event, `/datasets/${id}/versions`),
    api<Page<RecordResponse> & { version: number }>(event, `/datasets/${id}/records`, {
      query: { version: view.version, q: view.q || null, change: view.version ? view.change : null, cursor: view.cursor, limit: PAGE_SIZE },
    }),
  ]);
  return { dataset, versions: versions.data, records, view, now: Date.now() };
};
