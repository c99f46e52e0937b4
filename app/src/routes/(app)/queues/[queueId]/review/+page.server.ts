import { currentRole } from '$lib/me';
import { api } from '$lib/server/api';
import type { Progress, QueueResponse } from '$shared/queues';
import type { PageServerLoad } from './$types';

/** The queue only: claiming is a change, so it happens in the browser once the page is open, never on a preload. */
export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const queue = await api<QueueResponse & { progress: Progress }>(event, `/queues/${encodeURIComponent(event.params.queueId)}`);
  const role = currentRole(me);
  const mayReview = (role === 'admin' || role === 'reviewer') && (queue.accessMode === 'project' || queue.reviewers.includes(me.user.id));
  return { queue, mayReview, role, userId: me.user.id };
};
