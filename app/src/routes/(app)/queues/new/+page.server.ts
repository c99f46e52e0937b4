import { error, redirect } from '@sveltejs/kit';
import { currentRole } from '$lib/me';
import type { QueueResponse } from '$shared/queues';
import { projectMembers } from '$lib/server/members';
import { schemasWithVersions } from '../schemas.server';
import { readQueueForm, sendQueue } from '../settings-form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  if (currentRole(me) !== 'admin') error(403, { message: 'Only admins of this project create queues.', code: 'forbidden' });
  const [schemas, members] = await Promise.all([schemasWithVersions(event), projectMembers(event, me.currentProjectId)]);
  return { schemas, members };
};

export const actions: Actions = {
  default: async (event) => {
    const values = readQueueForm(await event.request.formData());
    const r = await sendQueue<QueueResponse>(event, '/queues', 'POST', values);
    if (!r.ok) return r.failure;
    redirect(303, `/queues/${r.data.id}`);
  },
};
