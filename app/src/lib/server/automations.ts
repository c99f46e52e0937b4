import type { RequestEvent } from '@sveltejs/kit';
import type { DatasetResponse } from '$shared/datasets';
import type { QueueResponse } from '$shared/queues';
import type { Target } from '$lib/automations/types';
import type { MeResponse, Page } from '$lib/types';
import { api } from './api';

/**
 * The queues and datasets a rule can route to, for pickers and for naming a rule's targets. Archived
 * queues are included (old rules may name them) and marked.
 */
export async function loadTargets(event: RequestEvent): Promise<{ queues: Target[]; datasets: Target[] }> {
  const [queues, datasets] = await Promise.all([
    api<Page<QueueResponse>>(event, '/queues', { query: { status: 'all' } }),
    api<Page<DatasetResponse>>(event, '/datasets'),
  ]);
  return {
    queues: queues.data.map((q) => ({ id: q.id, name: q.name, archived: q.status === 'archived' })),
    datasets: datasets.data.map((d) => ({ id: d.id, name: d.name })),
  };
}

/** The caller's role in the current project, and whether it may change rules. */
export function projectRole(me: MeResponse): { role: string; project: string; isAdmin: boolean } {
  const p = me.projects.find((x) => x.id === me.currentProjectId);
  return { role: p?.role ?? 'viewer', project: p?.name ?? '', isAdmin: p?.role === 'admin' };
}
