import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'sieve_session';

/** HttpOnly, SameSite=Lax; Secure everywhere but local development (plain http://127.0.0.1). */
export function setSessionCookie(c: Context<{ Bindings: Env }>, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.env.SIEVE_ENV !== 'development',
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context<{ Bindings: Env }>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.env.SIEVE_ENV !== 'development' });
}
