import { error, redirect } from '@sveltejs/kit';
import { apiFetch, readApiError } from '$lib/server/api';
import { relaySetCookies } from '$lib/server/cookies';
import type { RequestHandler } from './$types';

/** Form POST from the user menu and the account page: ends every session of the person, then /login. */
export const POST: RequestHandler = async (event) => {
  const res = await apiFetch(event, '/auth/logout-all', { method: 'POST' });
  // 401: this session had already ended; there is nothing left to end from here.
  if (!res.ok && res.status !== 401) {
    const { code, message } = await readApiError(res);
    error(res.status >= 500 ? 502 : res.status, { message: `Could not sign out everywhere: ${message}`, code });
  }
  if (res.headers.getSetCookie().length > 0) relaySetCookies(res, event.cookies);
  else event.cookies.delete('sieve_session', { path: '/' });
  redirect(303, '/login?signedOut=everywhere');
};
