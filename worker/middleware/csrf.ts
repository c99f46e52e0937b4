import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { Forbidden } from '../lib/errors';
import { SESSION_COOKIE } from './session-cookie';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Rejects cross-site state changes made with the session cookie. Browsers send Sec-Fetch-Site
 * and Origin on such requests; API-key requests carry no ambient credentials and are exempt.
 */
export const csrf: MiddlewareHandler = async (c, next) => {
  if (SAFE.has(c.req.method)) return next();
  const usesKey = !!(c.req.header('authorization') || c.req.header('x-api-key'));
  if (usesKey || !getCookie(c, SESSION_COOKIE)) return next();
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const sameOrigin = origin ? origin === new URL(c.req.url).origin : site === 'same-origin' || site === 'none';
  if (!sameOrigin || (site && site !== 'same-origin' && site !== 'none')) {
    throw new Forbidden('Cross-site request rejected: state changes must come from the Sieve app itself.');
  }
  return next();
};
