import { fail, redirect } from '@sveltejs/kit';
import { apiFetch, readApiError } from '$lib/server/api';
import { relaySetCookies } from '$lib/server/cookies';
import { rememberProject } from '$lib/server/project';
import type { InviteLookupResponse, MeResponse } from '$lib/types';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { token } = event.params;
  const res = await apiFetch(event, `/auth/invites/${encodeURIComponent(token)}`);
  if (!res.ok) {
    const { message } = res.status === 400 ? { message: 'This invite link is not valid. Check that it was copied whole.' } : await readApiError(res);
    return { token, invite: null, problem: { status: res.status, message }, me: null };
  }
  const invite = (await res.json()) as InviteLookupResponse;
  // Who is signed in decides what the page offers when the invited email already has an account.
  let me: MeResponse | null = null;
  if (event.cookies.get('sieve_session')) {
    const meRes = await apiFetch(event, '/me').catch(() => null);
    if (meRes?.ok) me = (await meRes.json()) as MeResponse;
  }
  return { token, invite, problem: null, me };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const name = String(form.get('name') ?? '').trim();
    const password = form.get('password') === null ? undefined : String(form.get('password'));
    const confirm = form.get('confirmPassword');
    if (password !== undefined) {
      if (password.length < 10) return fail(400, { name, message: 'Choose a password of at least 10 characters.' });
      if (confirm !== null && String(confirm) !== password) return fail(400, { name, message: 'The two passwords differ.' });
    }
    const res = await apiFetch(event, '/auth/invites/accept', {
      method: 'POST',
      body: { token: event.params.token, ...(name ? { name } : {}), ...(password !== undefined ? { password } : {}) },
    });
    if (!res.ok) {
      const { message } = await readApiError(res);
      return fail(res.status >= 500 ? 502 : res.status, { name, message });
    }
    relaySetCookies(res, event.cookies);
    const me = (await res.json()) as MeResponse;
    if (me.currentProjectId) rememberProject(event.cookies, me.currentProjectId, event.url.protocol === 'https:');
    redirect(303, '/traces');
  },
};
