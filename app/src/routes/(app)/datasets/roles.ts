import type { MeResponse } from '$lib/types';

/** What the signed-in person may do with datasets in the current project (the API enforces the same). */
export function datasetRights(me: MeResponse): { curate: boolean; manage: boolean } {
  const role = me.projects.find((p) => p.id === me.currentProjectId)?.role;
  return { curate: role === 'admin' || role === 'reviewer', manage: role === 'admin' };
}
