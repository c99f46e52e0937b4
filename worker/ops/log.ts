import { tryGetContext } from 'hono/context-storage';
import { matchedRoutes } from 'hono/route';
import type { Context } from 'hono';
import type { AppEnv } from '../middleware/auth';

/**
 * One JSON line per event, so Workers Logs (and `wrangler tail`) can filter on fields. Inside a
 * request the line carries its request id, project and route without the caller passing them; the
 * request context comes from Hono's context storage, set up by the request-id middleware.
 */

export type Level = 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

/** Field names whose values never reach a log line, whoever passes them (`sessionToken`, not `inputTokens`). */
const SECRET = /(authorization|cookie|password|secret|token|api[-_]?key)$/i;

const isMiddleware = (r: { method: string; path: string }) => r.method === 'ALL' && r.path.endsWith('*');

/**
 * The route pattern of the request (`/api/v1/traces/:traceId`), never the raw path: paths can carry
 * tokens. When a middleware answered (a 401 from `authenticate`), the handler it stood in front of.
 */
export function routeOf(c: Context): string | undefined {
  try {
    const routes = matchedRoutes(c);
    const at = c.req.routeIndex;
    return (routes.slice(at).find((r) => !isMiddleware(r)) ?? routes.slice(0, at).findLast((r) => !isMiddleware(r)))?.path;
  } catch {
    return undefined;
  }
}

function contextFields(): Fields {
  const c = tryGetContext<AppEnv>();
  if (!c) return {};
  return { requestId: c.var.requestId, projectId: c.var.projectId, route: routeOf(c) };
}

function clean(fields: Fields, level: Level): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (SECRET.test(k)) out[k] = '[redacted]';
    else if (v instanceof Error) out[k] = level === 'error' ? { message: v.message, stack: v.stack } : v.message;
    else out[k] = v;
  }
  return out;
}

/** Writes one line; `fields` win over the request's own (a consumer names its message's project). */
export function write(level: Level, msg: string, fields: Fields = {}): void {
  const line = JSON.stringify({ level, msg, ...clean({ ...contextFields(), ...fields }, level) });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  info: (msg: string, fields?: Fields) => write('info', msg, fields),
  warn: (msg: string, fields?: Fields) => write('warn', msg, fields),
  error: (msg: string, fields?: Fields) => write('error', msg, fields),
};
