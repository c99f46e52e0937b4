import { error, redirect, type RequestEvent } from '@sveltejs/kit';

type Query = Record<string, string | number | undefined | null>;

interface ApiInit {
  method?: string;
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
  for (const [k, v] of Object.entries(init.query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
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
