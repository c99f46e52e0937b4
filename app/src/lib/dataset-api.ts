/**
 * Browser-side calls to `/api/v1/datasets` (same origin: the session cookie and the remembered
 * project go along). Used by the datasets pages and by AddToDatasetDialog.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** JSON in, JSON out; an API error body becomes an ApiError with its message. */
export async function apiJson<T>(method: string, path: string, body?: unknown, init: { raw?: BodyInit; type?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (init.raw !== undefined) {
    payload = init.raw;
    if (init.type) headers['content-type'] = init.type;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  if (res.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, 'Your session has expired. Sign in again.');
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const err = (parsed as { error?: { message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, err?.message ?? `The API answered ${res.status}.`, err?.details);
  }
  return parsed as T;
}

/** A download link for an export of a dataset version. */
export function exportHref(datasetId: string, format: string, sel: { version?: number | null; tag?: string | null } = {}): string {
  const q = new URLSearchParams({ format });
  if (sel.tag) q.set('tag', sel.tag);
  else if (sel.version) q.set('version', String(sel.version));
  return `/api/v1/datasets/${encodeURIComponent(datasetId)}/export?${q}`;
}
