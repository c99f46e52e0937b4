import { fail, redirect } from '@sveltejs/kit';
import { apiAction } from '$lib/server/api';
import { rememberProject } from '$lib/server/project';
import type { ProjectResponse } from '$lib/types';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const name = String(form.get('name') ?? '').trim();
    if (!name) return fail(400, { name, message: 'A project needs a name.' });
    const r = await apiAction<ProjectResponse>(event, '/projects', { method: 'POST', body: { name } }, { name });
    if (!r.ok) return r.failure;
    // The new project becomes the current one: its empty trace list explains how to send the first trace.
    rememberProject(event.cookies, r.data.id, event.url.protocol === 'https:');
    redirect(303, '/traces');
  },
};
