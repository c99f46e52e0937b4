import { fail } from '@sveltejs/kit';
import { apiAction, apiUnlessForbidden } from '$lib/server/api';
import type { CreatedInviteResponse, MemberListResponse, MemberResponse } from '$lib/types';
import type { Actions, PageServerLoad } from './$types';

const ROLES = ['admin', 'reviewer', 'viewer'];

export const load: PageServerLoad = async (event) => {
  const { project } = await event.parent();
  const members = await apiUnlessForbidden<MemberListResponse>(event, `/projects/${encodeURIComponent(project.id)}/members`);
  return { members, now: Date.now() };
};

/** The project the page showed (not whatever the cookie says now), from the form. */
function membersPath(form: FormData, userId?: string): string {
  const base = `/projects/${encodeURIComponent(String(form.get('projectId') ?? ''))}/members`;
  return userId ? `${base}/${encodeURIComponent(userId)}` : base;
}

export const actions: Actions = {
  invite: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '').trim();
    const role = String(form.get('role') ?? '');
    const echo = { action: 'invite' };
    if (!email || !ROLES.includes(role)) return fail(400, { ...echo, message: 'Enter an email and pick a role.' });
    // Always an invite: nobody sets a password for someone else, and the answer is the same whether the email has an account.
    const r = await apiAction<CreatedInviteResponse>(event, membersPath(form), { method: 'POST', body: { email, role } }, echo);
    if (!r.ok) return r.failure;
    return { action: 'invite', invite: r.data };
  },
  reset: async (event) => {
    const form = await event.request.formData();
    const userId = String(form.get('userId') ?? '');
    const echo = { action: 'reset', userId };
    const r = await apiAction<{ resetUrl: string; expiresAt: string }>(event, `${membersPath(form, userId)}/password-reset`, { method: 'POST' }, echo);
    if (!r.ok) return r.failure;
    return { action: 'reset', reset: { ...r.data, email: String(form.get('email') ?? '') } };
  },
  role: async (event) => {
    const form = await event.request.formData();
    const userId = String(form.get('userId') ?? '');
    const role = String(form.get('role') ?? '');
    const echo = { action: 'role', userId };
    if (!ROLES.includes(role)) return fail(400, { ...echo, message: 'Pick a role.' });
    const r = await apiAction<MemberResponse>(event, membersPath(form, userId), { method: 'PATCH', body: { role } }, echo);
    if (!r.ok) return r.failure;
    return { action: 'role', changed: r.data };
  },
  remove: async (event) => {
    const form = await event.request.formData();
    const userId = String(form.get('userId') ?? '');
    const echo = { action: 'remove', userId };
    const r = await apiAction<void>(event, membersPath(form, userId), { method: 'DELETE' }, echo);
    if (!r.ok) return r.failure;
    return { action: 'remove', removed: String(form.get('email') ?? '') };
  },
};
