import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { findActiveKey, touchKey, type ResolvedKey } from '../data/api-keys';
import { projectShard, type ProjectEnv } from '../data/shards';
import { resolveSession } from '../data/sessions';
import { findUserById, listUserProjects } from '../data/users';
import { getDb } from '../db/client';
import { Forbidden, NotFound, Unauthorized } from '../lib/errors';
import type { Role, Scope } from '../schemas/common';
import { accessUser } from './cf-access';
import { setSessionCookie, SESSION_COOKIE } from './session-cookie';

export type UserPrincipal = { kind: 'user'; userId: string; email: string; name: string; sessionTokenHash: string };
export type Principal = { kind: 'key'; keyId: string; projectId: string; scopes: Scope[] } | UserPrincipal;

export type AppEnv = {
  Bindings: Env;
  Variables: {
    principal: Principal;
    /** Set by `requireUser`: the signed-in person. */
    user: UserPrincipal;
    projectId: string;
    /** Set with `projectId` by `requireAccess`: the D1 database holding the project's data (worker/data/shards.ts). */
    shard: D1Database;
    role: Role | null;
    requestId: string;
  };
};

/** What a route needs: `ingest` (send telemetry), `read`, `review` (label), `admin` (keys, members, settings). */
export type Access = 'ingest' | 'read' | 'review' | 'admin';

const KEY_CACHE_MS = 30_000;
const keyCache = new Map<string, { key: ResolvedKey | null; until: number }>();

/** API keys are looked up at most every 30 s per isolate: ingest must not pay a D1 read per request. */
async function lookupKey(env: Env, key: string, now: number): Promise<ResolvedKey | null> {
  const hit = keyCache.get(key);
  if (hit && hit.until > now) return hit.key;
  const resolved = await findActiveKey(getDb(env.DB), key);
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(key, { key: resolved, until: now + KEY_CACHE_MS });
  return resolved;
}

const TOUCH_EVERY_MS = 60_000;
const lastTouched = new Map<string, number>();

/** Last use is recorded at most once a minute per key and isolate: no D1 write per ingest request. */
function dueForTouch(keyId: string, now: number): boolean {
  if (now - (lastTouched.get(keyId) ?? 0) < TOUCH_EVERY_MS) return false;
  if (lastTouched.size > 10_000) lastTouched.clear();
  lastTouched.set(keyId, now);
  return true;
}

/** Forgets cached key lookups, so a revocation takes effect at once in this isolate. */
export function forgetCachedKeys(): void {
  keyCache.clear();
}

/**
 * The API key a request presents (`Authorization: Bearer <key>` or `x-api-key`), or null. A request
 * with one authenticates as that key and never by its cookie, which is why only it skips the CSRF check.
 */
export function presentedKey(c: Context): string | null {
  const auth = c.req.header('authorization');
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim() || null;
  return c.req.header('x-api-key')?.trim() || null;
}

/**
 * Resolves the caller from an API key, the session cookie or, when configured, a Cloudflare Access
 * token; 401 when none is valid.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const now = Date.now();
  const key = presentedKey(c);
  if (key) {
    const resolved = await lookupKey(c.env, key, now);
    if (!resolved) throw new Unauthorized('The API key is not valid or has been revoked.');
    c.set('principal', { kind: 'key', keyId: resolved.id, projectId: resolved.projectId, scopes: resolved.scopes });
    if (dueForTouch(resolved.id, now)) c.executionCtx.waitUntil(touchKey(getDb(c.env.DB), resolved.id, now).catch(() => undefined));
    return next();
  }
  const user = (await sessionUser(c, now)) ?? (await accessUser(c, now));
  if (!user) throw getCookie(c, SESSION_COOKIE) ? new Unauthorized('Your session has expired. Sign in again.') : new Unauthorized();
  c.set('principal', user);
  return next();
};

/**
 * The person signed in with the session cookie, or null. For public routes that behave differently
 * for a signed-in caller (accepting an invite); protected routes use `authenticate`.
 */
export async function sessionUser(c: Context<AppEnv>, now = Date.now()): Promise<UserPrincipal | null> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  const db = getDb(c.env.DB);
  const session = await resolveSession(db, token, now);
  const user = session && (await findUserById(db, session.userId));
  if (!session || !user) return null;
  if (session.renewed) setSessionCookie(c, token, session.expiresAt);
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, sessionTokenHash: session.tokenHash };
}

const ROLE_ALLOWS: Record<Role, Access[]> = {
  admin: ['ingest', 'read', 'review', 'admin'],
  reviewer: ['read', 'review'],
  viewer: ['read'],
};

const SCOPE_ALLOWS: Record<Scope, Access[]> = {
  ingest: ['ingest'],
  read: ['read'],
  admin: ['ingest', 'read', 'review', 'admin'],
};

export const PROJECT_HEADER = 'x-sieve-project';
export const PROJECT_COOKIE = 'sieve_project';

/**
 * Resolves the project of the request and checks that the caller may do `need` in it.
 * With `param`, the project is the one named in the path (`/projects/:projectId/...`); otherwise a
 * key names its own project and a session names one by header, then cookie, then its first membership.
 * A project the caller does not belong to is 404, never 403: its existence is not disclosed.
 * Puts the project's id and its shard (the D1 database of its data) on the context.
 */
export function requireAccess(need: Access, opts: { param?: string } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal');
    const inPath = opts.param ? c.req.param(opts.param) : undefined;
    if (opts.param && !inPath) throw new NotFound('Project');
    if (principal.kind === 'key') {
      if (inPath !== undefined && inPath !== principal.projectId) throw new NotFound('Project');
      if (!principal.scopes.some((s) => SCOPE_ALLOWS[s].includes(need))) {
        throw new Forbidden(`This API key lacks the scope for ${need} access.`);
      }
      c.set('projectId', principal.projectId);
      c.set('shard', await projectShard(c.env, principal.projectId));
      c.set('role', null);
      return next();
    }
    const projects = await listUserProjects(getDb(c.env.DB), principal.userId);
    const asked = inPath ?? c.req.header(PROJECT_HEADER);
    const remembered = getCookie(c, PROJECT_COOKIE);
    const project = asked
      ? projects.find((p) => p.id === asked)
      : (projects.find((p) => p.id === remembered) ?? projects[0]);
    if (!project) throw new NotFound('Project');
    if (!ROLE_ALLOWS[project.role].includes(need)) {
      throw new Forbidden(`Your role (${project.role}) does not allow ${need} access in this project.`);
    }
    c.set('projectId', project.id);
    c.set('shard', await projectShard(c.env, project.id));
    c.set('role', project.role);
    return next();
  };
}

/** The bindings of the request's project (after `requireAccess`): its shard, the control database, the rest of `Env`. */
export function scopedEnv(c: Context<AppEnv>): ProjectEnv {
  return { ...c.env, control: c.env.DB, shard: c.get('shard') };
}

/** For routes about the signed-in person rather than one project (their projects, their password). */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  const principal = c.get('principal');
  if (principal.kind !== 'user') {
    throw new Forbidden('This route is for signed-in people; an API key belongs to one project and cannot use it.');
  }
  c.set('user', principal);
  return next();
};
