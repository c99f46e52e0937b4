import type { Context, MiddlewareHandler } from 'hono';
import { contextStorage } from 'hono/context-storage';
import type { AppEnv } from './auth';
import { flushIfDue } from '../ops/counters';
import { log, routeOf } from '../ops/log';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids a caller may choose: short, and nothing that could break a log line or a header. */
const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when valid, else Cloudflare's `cf-ray`, else a fresh UUID. */
export function chooseRequestId(headers: Headers): string {
  for (const name of [REQUEST_ID_HEADER, 'cf-ray']) {
    const value = headers.get(name)?.trim();
    if (value && VALID_ID.test(value)) return value;
  }
  return crypto.randomUUID();
}

/**
 * Adds `requestId` to a JSON error body built without throwing (the 404 for an unknown route, a
 * route's own `c.json({ error })`); errors that go through `onError` carry it already.
 */
async function stampErrorBody(c: Context<AppEnv>, requestId: string): Promise<void> {
  const res = c.res;
  if (res.status < 400 || !res.headers.get('content-type')?.includes('application/json')) return;
  const body = (await res.clone().json().catch(() => null)) as { error?: Record<string, unknown> } | null;
  if (!body?.error || typeof body.error !== 'object' || 'requestId' in body.error) return;
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  c.res = undefined;
  c.res = new Response(JSON.stringify({ ...body, error: { ...body.error, requestId } }), { status: res.status, headers });
}

function waitUntil(c: Context<AppEnv>): { waitUntil(p: Promise<unknown>): void } | null {
  try {
    return c.executionCtx;
  } catch {
    return null; // app.request() in a test without an execution context
  }
}

/** Responses from `fetch` or a Durable Object have immutable headers: copy those, except a WebSocket upgrade. */
function setHeader(c: Context<AppEnv>, id: string): void {
  try {
    c.res.headers.set(REQUEST_ID_HEADER, id);
  } catch {
    if (c.res.status === 101) return;
    const res = c.res;
    c.res = undefined;
    c.res = new Response(res.body, res);
    c.res.headers.set(REQUEST_ID_HEADER, id);
  }
}

const storage = contextStorage();

/**
 * Gives every request an id (`x-request-id` on every response, `error.requestId` in JSON errors)
 * and writes one access log line: method, route pattern, status, duration, project when known. No
 * path values, bodies or headers are logged, so no keys, cookies or invite tokens either. On the way
 * out it flushes this isolate's ops counters when due (ops/counters.ts).
 *
 * Durations are wall-clock between I/O: workerd advances timers only across I/O, so pure CPU time
 * inside a request reads as zero.
 */
export const requestId: MiddlewareHandler<AppEnv> = (c, next) =>
  storage(c, async () => {
    const started = Date.now();
    const id = chooseRequestId(c.req.raw.headers);
    c.set('requestId', id);
    await next();
    await stampErrorBody(c, id);
    setHeader(c, id);
    const status = c.res.status;
    const fields = { method: c.req.method, route: routeOf(c), status, durationMs: Date.now() - started };
    if (status >= 500) log.error('request', fields);
    else log.info('request', fields);
    const ctx = waitUntil(c);
    if (ctx) flushIfDue(c.env, ctx);
  });
