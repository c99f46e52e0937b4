import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'sieve_session';

/** HttpOnly, SameSite=Lax; Secure everywhere but local development (plain http://127.0.0.1). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono app whose Bindings include Env
export function setSessionCookie(c: Context<any>, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.env.SIEVE_ENV !== 'development',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<any>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.env.SIEVE_ENV !== 'development' });
}
