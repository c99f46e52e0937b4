import { fail } from '@sveltejs/kit';
import { currentRole } from '$lib/me';
import { api, apiAction, apiFetch } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { LabelSchemaResponse } from '$shared/label-schemas';
import type { AddItemsResponse, ItemStatus, Progress, ProgressResponse, QueueItem, QueueResponse } from '$shared/queues';
import type { Actions, PageServerLoad } from './$types';

const STATUSES: ItemStatus[] = ['open', 'in_progress', 'done', 'removed'];
const PAGE_SIZE = 100;

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const id = encodeURIComponent(event.params.queueId);
  const wanted = event.url.searchParams.get('status') as ItemStatus | null;
  const status = wanted && STATUSES.includes(wanted) ? wanted : null;
  const [queue, progress, items] = await Promise.all([
    api<QueueResponse & { progress: Progress }>(event, `/queues/${id}`),
    api<ProgressResponse>(event, `/queues/${id}/progress`),
    api<Page<QueueItem>>(event, `/queues/${id}/items`, { query: { status, limit: PAGE_SIZE } }),
  ]);
  const schemaRes = await apiFetch(event, `/label-schemas/${encodeURIComponent(queue.schemaId)}`);
  const schema = schemaRes.ok ? ((await schemaRes.json()) as LabelSchemaResponse) : null;
  return { queue, progress, items, schema, status, pageSize: PAGE_SIZE, role: currentRole(me), userId: me.user.id, now: Date.now() };
};

const TRACE_ID = /\b[0-9a-f]{32}\b/gi;

export const actions: Actions = {
  add: async (event) => {
    const form = await event.request.formData();
    const text = String(form.get('traceIds') ?? '');
    const traceIds = [...new Set((text.match(TRACE_ID) ?? []).map((t) => t.toLowerCase()))];
    const echo = { action: 'add', traceIds: text };
    if (traceIds.length === 0) return fail(400, { ...echo, message: 'Paste one or more trace ids: 32 hexadecimal characters each.' });
    if (traceIds.length > 1000) return fail(400, { ...echo, message: `${traceIds.length} trace ids: add at most 1,000 at a time.` });
    const r = await apiAction<AddItemsResponse>(
      event,
      `/queues/${encodeURIComponent(event.params.queueId)}/items`,
      { method: 'POST', body: { traceIds, restore: form.get('restore') === 'on' } },
      echo,
    );
    if (!r.ok) return r.failure;
    return { action: 'add', added: r.data };
  },
  remove: async (event) => {
    const form = await event.request.formData();
    const itemId = String(form.get('itemId') ?? '');
    const r = await apiAction(event, `/queues/${encodeURIComponent(event.params.queueId)}/items/${encodeURIComponent(itemId)}`, { method: 'DELETE' }, { action: 'remove' });
    if (!r.ok) return r.failure;
    return { action: 'remove', removed: itemId };
  },
  archive: async (event) => {
    const r = await apiAction(event, `/queues/${encodeURIComponent(event.params.queueId)}/archive`, { method: 'POST' }, { action: 'archive' });
    if (!r.ok) return r.failure;
    return { action: 'archive', archived: true };
  },
  latest: async (event) => {
    const r = await apiAction<QueueResponse>(
      event,
      `/queues/${encodeURIComponent(event.params.queueId)}`,
      { method: 'PATCH', body: { schemaVersion: 'latest' } },
      { action: 'latest' },
    );
    if (!r.ok) return r.failure;
    return { action: 'latest', version: r.data.schemaVersion };
  },
};
