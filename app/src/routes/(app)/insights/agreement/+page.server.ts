import type { RequestEvent } from '@sveltejs/kit';
import { currentRole } from '$lib/me';
import { api, apiFetch, readApiError } from '$lib/server/api';
import type { Page } from '$lib/types';
import type { AgreementResponse } from '$shared/insights-agreement';
import type { LabelField, LabelSchemaResponse } from '$shared/label-schemas';
import type { QueueResponse } from '$shared/queues';
import { agreementQuery, DISAGREEMENTS_PAGE } from './selection';
import type { PageServerLoad } from './$types';

export type Report = { ok: true; report: AgreementResponse } | { ok: false; status: number; message: string };

async function report(event: RequestEvent, queueId: string): Promise<Report> {
  const query = agreementQuery(event.url.searchParams, queueId);
  query.set('limit', String(DISAGREEMENTS_PAGE));
  const res = await apiFetch(event, '/insights/agreement', { query });
  if (!res.ok) return { ok: false, status: res.status, ...(await readApiError(res)) };
  return { ok: true, report: (await res.json()) as AgreementResponse };
}

/** Queues where items get two or more reviews first (only they have agreement to measure), active before archived. */
function ordered(queues: QueueResponse[]): QueueResponse[] {
  const rank = (q: QueueResponse) => (q.reviewersPerItem > 1 ? 0 : 2) + (q.status === 'active' ? 0 : 1);
  return [...queues].sort((a, b) => rank(a) - rank(b));
}

export const load: PageServerLoad = async (event) => {
  const { me } = await event.parent();
  const queues = ordered((await api<Page<QueueResponse>>(event, '/queues', { query: { status: 'all' } })).data);
  const asked = event.url.searchParams.get('queueId');
  const queue = (asked ? queues.find((q) => q.id === asked) : queues[0]) ?? null;
  let fields: LabelField[] = [];
  if (queue) {
    // The fields of the queue's version: the adjudication form offers exactly what the API accepts.
    const res = await apiFetch(event, `/label-schemas/${encodeURIComponent(queue.schemaId)}`);
    const schema = res.ok ? ((await res.json()) as LabelSchemaResponse) : null;
    fields = schema?.versions?.find((v) => v.version === queue.schemaVersion)?.fields ?? [];
  }
  return {
    queues: queues.map((q) => ({ id: q.id, name: q.name, reviewersPerItem: q.reviewersPerItem, status: q.status })),
    queue: queue && { id: queue.id, name: queue.name, reviewersPerItem: queue.reviewersPerItem, status: queue.status },
    /** A queueId in the URL that is not one of the project's queues. */
    missing: asked && !queue ? asked : null,
    fields,
    role: currentRole(me),
    now: Date.now(),
    // Streamed: the pickers show at once, the numbers follow.
    report: queue ? report(event, queue.id) : null,
  };
};
