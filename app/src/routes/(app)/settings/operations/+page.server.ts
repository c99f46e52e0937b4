import { apiAction, apiFetch } from '$lib/server/api';
import { OpsRange, type OpsStatusResponse, type ReplayResponse } from '$shared/ops';
import type { RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export type StatusResult =
  | { ok: true; status: OpsStatusResponse }
  | { ok: false; message: string; requestId: string | null };

/** The API's answer, or its error with the request id to quote; never throws, so the page shows it in place. */
async function loadStatus(event: RequestEvent, range: OpsRange): Promise<StatusResult> {
  try {
    const res = await apiFetch(event, '/ops/status', { query: { range } });
    if (res.ok) return { ok: true, status: (await res.json()) as OpsStatusResponse };
    const body = (await res.json().catch(() => null)) as { error?: { message?: string; requestId?: string } } | null;
    return {
      ok: false,
      message: body?.error?.message ?? `The API answered ${res.status}.`,
      requestId: body?.error?.requestId ?? res.headers.get('x-request-id'),
    };
  } catch (err) {
    return { ok: false, message: (err as Error)?.message ?? 'The API could not be reached.', requestId: null };
  }
}

export const load: PageServerLoad = async (event) => {
  const { isAdmin } = await event.parent();
  const parsed = OpsRange.safeParse(event.url.searchParams.get('range') ?? 'hour');
  const range = parsed.success ? parsed.data : 'hour';
  // Streamed: the page renders at once with a loading state. Non-admins get no call (the API would say 403).
  return { range, status: isAdmin ? loadStatus(event, range) : null, now: Date.now() };
};

export const actions: Actions = {
  replay: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('id') ?? '');
    const r = await apiAction<ReplayResponse>(event, `/ops/dead-letters/${encodeURIComponent(id)}/replay`, { method: 'POST' }, { action: 'replay', id });
    if (!r.ok) return r.failure;
    return { action: 'replay', id, replayed: r.data };
  },
};
