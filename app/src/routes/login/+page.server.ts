import { fail, redirect } from '@sveltejs/kit';
import { apiFetch, readApiError } from '$lib/server/api';
import { relaySetCookies } from '$lib/server/cookies';
import { safeNext } from '$lib/server/next';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const next = safeNext(event.url.searchParams.get('next'));
  // Already signed in: straight on. Any failure here just shows the form.
  if (event.cookies.get('sieve_session')) {
    const me = await apiFetch(event, '/me').catch(() => null);
    if (me?.ok) redirect(303, next);
  }
  return { next, signedOutEverywhere: event.url.searchParams.get('signedOut') === 'everywhere' };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const next = safeNext(String(form.get('next') ?? ''));
    if (!email || !password) return fail(400, { email, message: 'Enter your email and password.' });

    const res = await apiFetch(event, '/auth/login', { method: 'POST', body: { email, password } });
    if (res.ok) {
      relaySetCookies(res, event.cookies);
      redirect(303, next);
    }
    if (res.status === 401) return fail(401, { email, message: 'Wrong email or password.' });
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      const wait = !(after > 0) ? ' Try again in a few minutes.' : after < 60 ? ` Try again in ${after} s.` : ` Try again in ${Math.ceil(after / 60)} min.`;
      return fail(429, { email, message: `Too many sign-in attempts.${wait}` });
    }
    const { message } = await readApiError(res);
    return fail(res.status >= 500 ? 502 : res.status, { email, message });
  },
};
