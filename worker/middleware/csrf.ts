import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { Forbidden } from '../lib/errors';
import { presentedKey } from './auth';
import { SESSION_COOKIE } from './session-cookie';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Rejects cross-site state changes made with the session cookie. Browsers send Sec-Fetch-Site
 * and Origin on such requests. Only a request that authenticates as an API key (it presents one,
 * so `authenticate` never looks at its cookie) is exempt: any other Authorization header (Basic,
 * Digest, an empty Bearer) leaves the cookie in charge and gets the check.
 */
export const csrf: MiddlewareHandler = async (c, next) => {
  if (SAFE.has(c.req.method)) return next();
  if (presentedKey(c) !== null || !getCookie(c, SESSION_COOKIE)) return next();
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const sameOrigin = origin ? origin === new URL(c.req.url).origin : site === 'same-origin' || site === 'none';
  if (!sameOrigin || (site && site !== 'same-origin' && site !== 'none')) {
    throw new Forbidden('Cross-site request rejected: state changes must come from the Sieve app itself.');
  }
  return next();
};
