import type { Context } from 'hono';
import { createSession } from '../data/sessions';
import { findUserByEmail } from '../data/users';
import { getDb } from '../db/client';
import { accessIssuer, AccessTokenError, verifyAccessJwt, type AccessConfig, type Jwks } from '../lib/access-jwt';
import { Unauthorized } from '../lib/errors';
import type { AppEnv, UserPrincipal } from './auth';
import { setSessionCookie } from './session-cookie';

/** The header Cloudflare Access adds to every request it lets through to the origin. */
export const ACCESS_HEADER = 'cf-access-jwt-assertion';

const CERTS_TTL_MS = 10 * 60_000;
const certsCache = new Map<string, { jwks: Jwks; until: number }>();

async function fetchCerts(teamDomain: string): Promise<Jwks> {
  const res = await fetch(`${accessIssuer(teamDomain)}/cdn-cgi/access/certs`);
  if (!res.ok) throw new Error(`Access certs answered ${res.status}`);
  return (await res.json()) as Jwks;
}

let certsSource: (teamDomain: string) => Promise<Jwks> = fetchCerts;

/** Replaces where the team's certs come from (tests inject a local JWKS); null restores the network. */
export function setAccessCertsSource(source: ((teamDomain: string) => Promise<Jwks>) | null): void {
  certsSource = source ?? fetchCerts;
  certsCache.clear();
}

async function certs(teamDomain: string, now: number, refresh: boolean): Promise<Jwks> {
  const hit = certsCache.get(teamDomain);
  if (hit && hit.until > now && !refresh) return hit.jwks;
  const jwks = await certsSource(teamDomain);
  certsCache.set(teamDomain, { jwks, until: now + CERTS_TTL_MS });
  return jwks;
}

function accessConfig(env: Env): AccessConfig | null {
  const teamDomain = env.CF_ACCESS_TEAM_DOMAIN?.trim();
  const aud = env.CF_ACCESS_AUD?.trim();
  return teamDomain && aud ? { teamDomain, aud } : null;
}

/**
 * Signs in the person Cloudflare Access vouches for, when `CF_ACCESS_TEAM_DOMAIN` and `CF_ACCESS_AUD`
 * are set: the email of a verified token maps to an existing user, who gets a normal session (so later
 * requests skip the signature check). Null when Access is not configured or sent no token.
 */
export async function accessUser(c: Context<AppEnv>, now = Date.now()): Promise<UserPrincipal | null> {
  const cfg = accessConfig(c.env);
  const token = c.req.header(ACCESS_HEADER);
  if (!cfg || !token) return null;
  let email: string;
  try {
    email = (await verifyAccessJwt(token, cfg, await certs(cfg.teamDomain, now, false), now)).email;
  } catch (err) {
    if (!(err instanceof AccessTokenError) || !err.unknownKey) throw refuse(err);
    try {
      email = (await verifyAccessJwt(token, cfg, await certs(cfg.teamDomain, now, true), now)).email;
    } catch (again) {
      throw refuse(again);
    }
  }
  const db = getDb(c.env.DB);
  const user = await findUserByEmail(db, email);
  if (!user) throw new Unauthorized(`Cloudflare Access signed you in as ${email}, but Sieve has no account for that email. Ask a project admin for an invite.`);
  const session = await createSession(db, user.id, now);
  setSessionCookie(c, session.token, session.expiresAt);
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, sessionTokenHash: session.tokenHash };
}

function refuse(err: unknown): Unauthorized {
  console.warn(JSON.stringify({ level: 'warn', msg: 'cloudflare access token refused', reason: String(err) }));
  return new Unauthorized('The Cloudflare Access token is not valid. Reload the page to sign in again.');
}
