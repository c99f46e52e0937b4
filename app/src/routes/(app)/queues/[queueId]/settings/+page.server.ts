import { error, redirect } from '@sveltejs/kit';
import { currentRole } from '$lib/me';
import { api } from '$lib/server/api';
import type { QueueResponse } from '$shared/queues';
import { projectMembers } from '$lib/server/members';
import { schemasWithVersions } from '../../schemas.server';
import { readQueueForm, sendQueue } from '../../settings-form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  if (currentRole(me) !== 'admin') error(403, { message: 'Only admins of this project change queue settings.', code: 'forbidden' });
  const [queue, schemas, members] = await Promise.all([
    api<QueueResponse>(event, `/queues/${encodeURIComponent(event.params.queueId)}`),
    schemasWithVersions(event),
    projectMembers(event, me.currentProjectId),
  ]);
  return { queue, schemas, members };
};

export const actions: Actions = {
  default: async (event) => {
    const { schemaId: _fixed, ...values } = readQueueForm(await event.request.formData());
    const path = `/queues/${encodeURIComponent(event.params.queueId)}`;
    const r = await sendQueue<QueueResponse>(event, path, 'PATCH', values);
    if (!r.ok) return r.failure;
    redirect(303, `/queues/${event.params.queueId}`);
  },
};
