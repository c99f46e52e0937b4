import { fail } from '@sveltejs/kit';
import { apiAction } from '$lib/server/api';
import type { Actions } from './$types';

export const actions: Actions = {
  password: async (event) => {
    const form = await event.request.formData();
    const currentPassword = String(form.get('currentPassword') ?? '');
    const newPassword = String(form.get('newPassword') ?? '');
    const confirmPassword = String(form.get('confirmPassword') ?? '');
    if (!currentPassword) return fail(400, { message: 'Enter your current password.' });
    if (newPassword.length < 10) return fail(400, { message: 'The new password needs at least 10 characters.' });
    if (newPassword !== confirmPassword) return fail(400, { message: 'The two new passwords differ.' });
    const r = await apiAction<void>(event, '/auth/password', { method: 'POST', body: { currentPassword, newPassword } });
    if (!r.ok) return r.failure;
    return { changed: true };
  },
};
