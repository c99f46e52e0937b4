import { error, fail, redirect, type ActionFailure, type RequestEvent } from '@sveltejs/kit';

type Query = Record<string, string | number | undefined | null> | URLSearchParams;

interface ApiInit {
  method?: string;
  /** A record, or URLSearchParams when a key repeats (`eval=…&eval=…`). */
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
}

/** Headers that carry who is asking and for which project. */
const RELAYED = ['cookie', 'x-sieve-project', 'user-agent', 'cf-connecting-ip'];

/**
 * Calls the API Worker through the service binding on behalf of the browser's request: its cookies and
 * project header go along, and the API sees the app's origin (the request already passed the app's CSRF check).
 * Returns the raw Response; see `api` for the usual JSON-or-error path.
 */
export async function apiFetch(event: RequestEvent, path: string, init: ApiInit = {}): Promise<Response> {
  const binding = event.platform?.env?.API;
  if (!binding) error(503, { message: 'The API service binding is not configured.', code: 'api_unavailable' });

  const url = new URL(`/api/v1${path}`, event.url.origin);
  const entries = init.query instanceof URLSearchParams ? [...init.query] : Object.entries(init.query ?? {});
  for (const [k, v] of entries) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.append(k, String(v));
  }
  const headers = new Headers({ accept: 'application/json', origin: event.url.origin, 'sec-fetch-site': 'same-origin' });
  for (const name of RELAYED) {
    const value = event.request.headers.get(name);
    if (value) headers.set(name, value);
  }
  let body: string | undefined;
  if (init.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.body);
  }
  return binding.fetch(url, { method: init.method ?? 'GET', headers, body });
}

/** The API's `{ error: { code, message } }`, or a generic one when the body is something else. */
export async function readApiError(res: Response): Promise<{ code: string; message: string }> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.message) return { code: body.error.code ?? 'error', message: body.error.message };
  } catch {
    // not JSON: fall through
  }
  return { code: 'error', message: res.statusText || `The API answered ${res.status}` };
}

/** The login page, returning here afterwards. */
export function loginRedirect(event: RequestEvent): never {
  const next = event.url.pathname + event.url.search;
  redirect(303, `/login?next=${encodeURIComponent(next)}`);
}

/**
 * JSON from the API. A 401 sends the browser to /login (and back here afterwards); any other error
 * body becomes a SvelteKit `error()` with the API's status, message and code.
 */
export async function api<T>(event: RequestEvent, path: string, init: ApiInit = {}): Promise<T> {
  const res = await apiFetch(event, path, init);
  if (res.status === 401) loginRedirect(event);
  if (!res.ok) {
    const { code, message } = await readApiError(res);
    error(res.status, { message, code });
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * Like `api`, but a 403 is an answer rather than an error page: the caller's role does not allow it,
 * and the page says so in place.
 */
export async function apiUnlessForbidden<T>(
  event: RequestEvent,
  path: string,
  init: ApiInit = {},
): Promise<{ forbidden: false; data: T } | { forbidden: true; message: string }> {
  const res = await apiFetch(event, path, init);
  if (res.status === 403) return { forbidden: true, message: (await readApiError(res)).message };
  if (res.status === 401) loginRedirect(event);
  if (!res.ok) {
    const { code, message } = await readApiError(res);
    error(res.status, { message, code });
  }
  return { forbidden: false, data: (await res.json()) as T };
}

/**
 * For form actions: the API's JSON on success; otherwise a `fail()` carrying the API's message (plus
 * `extra`, e.g. which form it belongs to) for the page to show next to the form. A 401 goes to /login.
 */
export async function apiAction<T, E extends Record<string, unknown> = Record<never, never>>(
  event: RequestEvent,
  path: string,
  init: ApiInit,
  extra: E = {} as E,
): Promise<{ ok: true; data: T } | { ok: false; failure: ActionFailure<E & { code: string; message: string }> }> {
  const res = await apiFetch(event, path, init);
  if (res.status === 401) loginRedirect(event);
  if (res.ok) return { ok: true, data: (res.status === 204 ? undefined : await res.json()) as T };
  const { code, message } = await readApiError(res);
  return { ok: false, failure: fail(res.status >= 500 ? 502 : res.status, { ...extra, code, message }) };
}
