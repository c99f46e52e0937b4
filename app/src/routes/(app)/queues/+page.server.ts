import { api, apiFetch } from '$lib/server/api';
import { currentRole } from '$lib/me';
import type { Page } from '$lib/types';
import type { LabelSchemaResponse } from '$shared/label-schemas';
import type { Progress, QueueResponse } from '$shared/queues';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const status = event.url.searchParams.get('status') === 'archived' ? 'archived' : 'active';
  const [list, schemas] = await Promise.all([
    api<Page<QueueResponse>>(event, '/queues', { query: { status } }),
    api<Page<LabelSchemaResponse>>(event, '/label-schemas'),
  ]);
  // The list carries no counts: each queue's object answers for its own progress.
  const progress = await Promise.all(
    list.data.map(async (q) => {
      const res = await apiFetch(event, `/queues/${encodeURIComponent(q.id)}/progress`);
      return res.ok ? ((await res.json()) as Progress) : null;
    }),
  );
  const schemaNames = Object.fromEntries(schemas.data.map((s) => [s.id, s.name]));
  return {
    status,
    queues: list.data.map((q, i) => ({ ...q, progress: progress[i], schemaName: schemaNames[q.schemaId] ?? q.schemaId })),
    role: currentRole(me),
    userId: me.user.id,
    now: Date.now(),
  };
};
