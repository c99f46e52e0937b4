import { fail } from '@sveltejs/kit';
import { apiAction, apiUnlessForbidden } from '$lib/server/api';
import type { ApiKeyListResponse, ApiKeyResponse, CreatedApiKeyResponse } from '$lib/types';
import type { Actions, PageServerLoad } from './$types';

const SCOPES = ['ingest', 'read', 'admin'];

export const load: PageServerLoad = async (event) => {
  const { project } = await event.parent();
  const keys = await apiUnlessForbidden<ApiKeyListResponse>(event, `/projects/${encodeURIComponent(project.id)}/api-keys`);
  return { keys, now: Date.now() };
};

const keysPath = (form: FormData) => `/projects/${encodeURIComponent(String(form.get('projectId') ?? ''))}/api-keys`;

export const actions: Actions = {
  create: async (event) => {
    const form = await event.request.formData();
    const name = String(form.get('name') ?? '').trim();
    const scopes = form.getAll('scope').map(String).filter((s) => SCOPES.includes(s));
    const echo = { action: 'create', name, scopes };
    if (!name) return fail(400, { ...echo, message: 'Give the key a name, e.g. where it is used.' });
    if (scopes.length === 0) return fail(400, { ...echo, message: 'Pick at least one scope.' });
    const r = await apiAction<CreatedApiKeyResponse>(event, keysPath(form), { method: 'POST', body: { name, scopes } }, echo);
    if (!r.ok) return r.failure;
    return { action: 'create', created: r.data };
  },
  revoke: async (event) => {
    const form = await event.request.formData();
    const keyId = String(form.get('keyId') ?? '');
    const r = await apiAction<ApiKeyResponse>(event, `${keysPath(form)}/${encodeURIComponent(keyId)}`, { method: 'DELETE' }, { action: 'revoke', keyId });
    if (!r.ok) return r.failure;
    return { action: 'revoke', revoked: r.data };
  },
};
