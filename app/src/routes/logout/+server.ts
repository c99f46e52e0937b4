import { redirect } from '@sveltejs/kit';
import { apiFetch } from '$lib/server/api';
import { relaySetCookies } from '$lib/server/cookies';
import type { RequestHandler } from './$types';

/** Form POST from the top bar: ends the API session, clears the cookie, back to /login. */
export const POST: RequestHandler = async (event) => {
  const res = await apiFetch(event, '/auth/logout', { method: 'POST' }).catch(() => null);
  if (res && res.headers.getSetCookie().length > 0) relaySetCookies(res, event.cookies);
  else event.cookies.delete('sieve_session', { path: '/' });
  redirect(303, '/login');
};
