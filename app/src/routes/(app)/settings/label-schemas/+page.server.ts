import { api } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { LabelSchemaResponse } from '$shared/label-schemas';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const schemas = await api<Page<LabelSchemaResponse>>(event, '/label-schemas');
  return { schemas: schemas.data, now: Date.now() };
};
