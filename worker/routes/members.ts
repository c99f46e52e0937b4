import { Hono } from 'hono';
import { inviteMember } from '../accounts/members';
import { issueReset } from '../data/password-resets';
import { listPendingInvites } from '../data/invites';
import { findMember, listMembers, removeMember, updateMemberRole } from '../data/members';
import { getDb } from '../db/client';
import { Conflict, NotFound } from '../lib/errors';
import { iso } from '../lib/time';
import { jsonBody, params } from '../lib/validate';
import { revalidateLiveQueues } from '../queues/revoke';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { InviteMemberBody, MemberParam, UpdateMemberBody, type MemberListResponse, type PasswordResetLinkResponse } from '../schemas/projects';

const LAST_ADMIN = 'A project needs at least one admin: make someone else admin first.';

/** Members and invites of one project; mounted under `/projects/:projectId/members`, admins only. */
const routes = new Hono<AppEnv>()
  .use(authenticate, requireAccess('admin', { param: 'projectId' }))
  .get('/', async (c) => {
    const db = getDb(c.env.DB);
    const projectId = c.get('projectId');
    const [data, invites] = await Promise.all([listMembers(db, { projectId }), listPendingInvites(db, { projectId })]);
    const body: MemberListResponse = { data, invites, nextCursor: null };
    return c.json(body);
  })
  .post('/', async (c) => {
    const input = await jsonBody(c, InviteMemberBody);
    const p = c.get('principal');
    const invite = await inviteMember(getDb(c.env.DB), {
      projectId: c.get('projectId'),
      input,
      invitedBy: p.kind === 'user' ? p.userId : null,
      origin: new URL(c.req.url).origin,
    });
    return c.json(invite, 201);
  })
  .post('/:userId/password-reset', async (c) => {
    // "Forgot password" without mail: an admin of a project the person belongs to hands them a one-time link.
    const { userId } = params(c, MemberParam);
    const db = getDb(c.env.DB);
    if (!(await findMember(db, { projectId: c.get('projectId'), userId }))) throw new NotFound('Member');
    const p = c.get('principal');
    const reset = await issueReset(db, { userId, issuedBy: p.kind === 'user' ? p.userId : null });
    const body: PasswordResetLinkResponse = { resetUrl: `${new URL(c.req.url).origin}/reset-password/${reset.token}`, expiresAt: iso(reset.expiresAt) };
    return c.json(body, 201);
  })
  .patch('/:userId', async (c) => {
    const { userId } = params(c, MemberParam);
    const { role } = await jsonBody(c, UpdateMemberBody);
    const db = getDb(c.env.DB);
    const projectId = c.get('projectId');
    if (!(await findMember(db, { projectId, userId }))) throw new NotFound('Member');
    if (!(await updateMemberRole(db, { projectId, userId, role }))) throw new Conflict(LAST_ADMIN);
    c.executionCtx.waitUntil(revalidateLiveQueues(c.env, [projectId]).catch(() => undefined));
    const member = await findMember(db, { projectId, userId });
    if (!member) throw new NotFound('Member');
    return c.json(member);
  })
  .delete('/:userId', async (c) => {
    const { userId } = params(c, MemberParam);
    const db = getDb(c.env.DB);
    const projectId = c.get('projectId');
    if (!(await findMember(db, { projectId, userId }))) throw new NotFound('Member');
    if (!(await removeMember(db, { projectId, userId }))) throw new Conflict(LAST_ADMIN);
    c.executionCtx.waitUntil(revalidateLiveQueues(c.env, [projectId]).catch(() => undefined));
    return c.body(null, 204);
  });

export default routes;
export type MemberRoutes = typeof routes;
