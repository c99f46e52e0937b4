import { fail, type RequestEvent } from '@sveltejs/kit';
import { apiFetch, loginRedirect } from '$lib/server/api';

/** What the queue form posts, as the API's body (`CreateQueueBody` / `UpdateQueueBody`); the API validates it. */
export interface QueueFormValues {
  name: string;
  description: string;
  guidelines: string;
  schemaId?: string;
  schemaVersion?: number;
  reviewersPerItem?: number;
  leaseSeconds?: number;
  accessMode: 'project' | 'assigned';
  reviewers: string[];
  blind: boolean;
}

function num(form: FormData, key: string): number | undefined {
  const raw = String(form.get(key) ?? '').trim();
  if (raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export function readQueueForm(form: FormData): QueueFormValues {
  const minutes = num(form, 'leaseMinutes');
  const schemaId = String(form.get('schemaId') ?? '').trim();
  const accessMode = form.get('accessMode') === 'assigned' ? 'assigned' : 'project';
  return {
    name: String(form.get('name') ?? '').trim(),
    description: String(form.get('description') ?? ''),
    guidelines: String(form.get('guidelines') ?? ''),
    ...(schemaId ? { schemaId } : {}),
    schemaVersion: num(form, 'schemaVersion'),
    reviewersPerItem: num(form, 'reviewersPerItem'),
    leaseSeconds: minutes === undefined ? undefined : Math.round(minutes * 60),
    accessMode,
    // Assigned reviewers only matter in an assigned queue; the list is kept for switching back.
    reviewers: form.getAll('reviewer').map(String),
    blind: form.get('blind') === 'on',
  };
}

/** Field messages of a 400/422 (`details[].path` → message), keyed by the form's field names. */
export type FieldErrors = Record<string, string>;

/**
 * Sends the queue body; on success the API's JSON, otherwise a `fail()` with the message, each
 * field's message and the values, so the form shows them where they belong.
 */
export async function sendQueue<T>(
  event: RequestEvent,
  path: string,
  method: 'POST' | 'PATCH',
  values: QueueFormValues,
): Promise<{ ok: true; data: T } | { ok: false; failure: ReturnType<typeof fail> }> {
  const res = await apiFetch(event, path, { method, body: values });
  if (res.status === 401) loginRedirect(event);
  const body = (await res.json().catch(() => null)) as { error?: { message?: string; details?: { path?: string; message?: string }[] } } | null;
  if (res.ok) return { ok: true, data: body as T };
  const errors: FieldErrors = {};
  for (const d of body?.error?.details ?? []) {
    const key = (d.path ?? '').split('.')[0];
    if (key && d.message && !errors[key]) errors[key] = d.message;
  }
  const message = body?.error?.message ?? `The API answered ${res.status}.`;
  return { ok: false, failure: fail(res.status >= 500 ? 502 : res.status, { message, errors, values }) };
}
