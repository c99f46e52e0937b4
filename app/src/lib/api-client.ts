/**
 * The API from the browser, for pages that work without reloading (review mode): same origin, so the
 * session and project cookies go along and the API's CSRF check sees the app's Origin.
 */

/** One `details` entry of a 400 or 422: the path names the field (`values.verdict`, `fields.0.key`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** An answer other than 2xx, with the API's `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
  ) {
    super(message);
  }
}

function issues(details: unknown): FieldIssue[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is FieldIssue => typeof d?.path === 'string' && typeof d?.message === 'string');
}

/**
 * JSON from `/api/v1{path}`; throws `ApiError` for an error answer (status 0 when the network failed).
 * A 401 sends the browser to the sign-in page, returning here afterwards.
 */
export async function apiJson<T>(method: string, path: string, body?: unknown, init: { keepalive?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive: init.keepalive,
    });
  } catch {
    throw new ApiError(0, 'network', 'Sieve could not be reached. Check your connection; your work is kept here.');
  }
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, 'unauthorized', 'Your session has ended. Sign in again.');
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.code ?? 'error', e?.message ?? `The API answered ${res.status}.`, issues(e?.details));
  }
  return data as T;
}
