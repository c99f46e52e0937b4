import { fail } from '@sveltejs/kit';
import { api, apiAction } from '$lib/server/api';
import type { ProjectResponse } from '$lib/types';
import type { ProjectDetailResponse } from '$shared/projects';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { project } = await event.parent();
  const detail = await api<ProjectDetailResponse>(event, `/projects/${encodeURIComponent(project.id)}`);
  return { detail, now: Date.now() };
};

export const actions: Actions = {
  rename: async (event) => {
    const form = await event.request.formData();
    const projectId = String(form.get('projectId') ?? '');
    const name = String(form.get('name') ?? '').trim();
    if (!name) return fail(400, { name, message: 'A project needs a name.' });
    const r = await apiAction<ProjectResponse>(event, `/projects/${encodeURIComponent(projectId)}`, { method: 'PATCH', body: { name } }, { name });
    if (!r.ok) return r.failure;
    return { renamed: r.data.name };
  },
};
