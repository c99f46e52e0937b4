import { fail, redirect } from '@sveltejs/kit';
import { apiFetch, readApiError } from '$lib/server/api';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const password = String(form.get('password') ?? '');
    if (password.length < 10) return fail(400, { message: 'Choose a password of at least 10 characters.' });
    if (String(form.get('confirmPassword') ?? '') !== password) return fail(400, { message: 'The two passwords differ.' });
    const res = await apiFetch(event, '/auth/password-reset', { method: 'POST', body: { token: event.params.token, newPassword: password } });
    if (!res.ok) {
      const { message } = await readApiError(res);
      return fail(res.status >= 500 ? 502 : res.status, { message });
    }
    redirect(303, '/login?reset=1');
  },
};
