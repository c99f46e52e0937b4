import type { RequestEvent } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { LabelSchemaResponse } from '$shared/label-schemas';

/** Every label schema of the project with its versions, for picking a schema and version. */
export async function schemasWithVersions(event: RequestEvent): Promise<LabelSchemaResponse[]> {
  const list = await api<Page<LabelSchemaResponse>>(event, '/label-schemas');
  return Promise.all(list.data.map((s) => api<LabelSchemaResponse>(event, `/label-schemas/${encodeURIComponent(s.id)}`)));
}
