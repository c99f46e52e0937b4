import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, login, makeProject, makeUser, signIn } from '../helpers';

const members = (projectId: string) => `/api/v1/projects/${projectId}/members`;

describe('/api/v1/projects/:projectId/members — who may manage members', () => {
  it('gives a viewer and a reviewer 403 with their role named, and a read key 403', async () => {
    const { projectId, key } = await makeProject(['read', 'ingest']);
    for (const role of ['viewer', 'reviewer'] as const) {
      const u = await signIn(projectId, role);
      const invite = await call('POST', members(projectId), { cookie: u.cookie }, { email: 'new@example.test', role: 'viewer' });
      expect(invite.status).toBe(403);
      expect(invite.body.error.message).toContain(`(${role})`);
      expect((await call('GET', members(projectId), { cookie: u.cookie })).status).toBe(403);
      expect((await call('PATCH', `${members(projectId)}/${u.userId}`, { cookie: u.cookie }, { role: 'admin' })).status).toBe(403);
      expect((await call('DELETE', `${members(projectId)}/${u.userId}`, { cookie: u.cookie })).status).toBe(403);
    }
    const byKey = await call('GET', members(projectId), { key });
    expect(byKey.status).toBe(403);
    expect(byKey.body.error.message).toMatch(/scope/);
  });

  it('lets an admin key manage members of its own project', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const res = await call('POST', members(projectId), { key }, { email: 'ByKey@Example.test', role: 'reviewer' });
    expect(res.status).toBe(201);
    expect(res.body.email).toBe('bykey@example.test');
    const list = await call('GET', members(projectId), { key });
    expect(list.body.invites).toEqual([expect.objectContaining({ email: 'bykey@example.test', role: 'reviewer', invitedBy: null })]);
  });
});

describe('POST /api/v1/projects/:projectId/members', () => {
  it('refuses a password (400): nobody sets a password for someone else, new account or not (issue #18.4)', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const email = `${crypto.randomUUID().slice(0, 8)}@example.test`;
    const res = await call('POST', members(projectId), { cookie: admin.cookie }, { email, role: 'reviewer', name: 'Rita', password: 'first password 1' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'password', message: expect.stringMatching(/never sets a password for someone else/) });
    const row = await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(email).first();
    expect(row).toBeNull();
  });

  it('answers the same invite shape whether or not the email has an account, and never changes that account', async () => {
    const { projectId } = await makeProject();
    const other = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const existing = await makeUser(other.projectId, 'viewer');
    const fresh = `${crypto.randomUUID().slice(0, 8)}@example.test`;
    const known = await call('POST', members(projectId), { cookie: admin.cookie }, { email: existing.email, role: 'viewer' });
    const unknown = await call('POST', members(projectId), { cookie: admin.cookie }, { email: fresh, role: 'viewer' });
    for (const res of [known, unknown]) {
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['email', 'expiresAt', 'id', 'inviteUrl', 'role']);
    }
    expect(await login(existing.email, existing.password)).toMatch(/^sieve_session=/);
    expect(await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(fresh).first()).toBeNull();
    const member = await makeUser(projectId, 'viewer');
    const again = await call('POST', members(projectId), { cookie: admin.cookie }, { email: member.email, role: 'admin' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already a member/);
  });

  it('lets the owner of a squatted-looking email claim it: the invite sets the password they choose', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const email = `${crypto.randomUUID().slice(0, 8)}@corp.example`;
    const invite = await call('POST', members(projectId), { cookie: admin.cookie }, { email, role: 'reviewer' });
    const token = invite.body.inviteUrl.split('/invite/')[1];
    const accept = await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: 'the owner chose this' });
    expect(accept.status, accept.text).toBe(200);
    expect(await login(email, 'the owner chose this')).toMatch(/^sieve_session=/);
  });

  it('rejects an unknown role with 400', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    expect((await call('POST', members(projectId), { cookie: admin.cookie }, { email: 'a@example.test', role: 'owner' })).status).toBe(400);
  });
});

describe('password reset links (issue #18.4)', () => {
  it('an admin of a shared project issues a one-time link; using it sets the password and ends every session', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const forgetful = await signIn(projectId, 'reviewer');
    const issued = await call('POST', `${members(projectId)}/${forgetful.userId}/password-reset`, { cookie: admin.cookie });
    expect(issued.status, issued.text).toBe(201);
    const token = issued.body.resetUrl.split('/reset-password/')[1];
    expect(token.length).toBeGreaterThan(20);
    const stored = await env.DB.prepare('SELECT token_hash FROM password_resets WHERE user_id = ?').bind(forgetful.userId).first<{ token_hash: string }>();
    expect(stored!.token_hash).not.toBe(token);
    const reset = await call('POST', '/api/v1/auth/password-reset', {}, { token, newPassword: 'a brand new password' });
    expect(reset.status, reset.text).toBe(204);
    expect((await call('GET', '/api/v1/me', { cookie: forgetful.cookie })).status).toBe(401);
    expect(await login(forgetful.email, 'a brand new password')).toMatch(/^sieve_session=/);
    const twice = await call('POST', '/api/v1/auth/password-reset', {}, { token, newPassword: 'another new password' });
    expect(twice.status).toBe(410);
  });

  it('is refused for someone who is not a member of the admin\'s project (404), and to non-admins (403)', async () => {
    const { projectId } = await makeProject();
    const other = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const stranger = await makeUser(other.projectId, 'viewer');
    expect((await call('POST', `${members(projectId)}/${stranger.userId}/password-reset`, { cookie: admin.cookie })).status).toBe(404);
    const reviewer = await signIn(projectId, 'reviewer');
    expect((await call('POST', `${members(projectId)}/${admin.userId}/password-reset`, { cookie: reviewer.cookie })).status).toBe(403);
  });
});

describe('GET /api/v1/projects/:projectId/members', () => {
  it('lists members with email, name, role and join time, and pending invites without their token', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const viewer = await makeUser(projectId, 'viewer');
    const invite = await call('POST', members(projectId), { cookie: admin.cookie }, { email: 'pending@example.test', role: 'reviewer' });
    const res = await call('GET', members(projectId), { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data).toContainEqual({ userId: viewer.userId, email: viewer.email, name: 'Test User', role: 'viewer', joinedAt: expect.any(String) });
    expect(res.body.invites).toEqual([
      { id: invite.body.id, email: 'pending@example.test', role: 'reviewer', invitedBy: admin.email, createdAt: expect.any(String), expiresAt: invite.body.expiresAt },
    ]);
    expect(res.text).not.toContain(invite.body.inviteUrl.split('/invite/')[1]);
  });
});

describe('PATCH/DELETE /api/v1/projects/:projectId/members/:userId', () => {
  it('changes a role, which takes effect on the next request', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const viewer = await signIn(projectId, 'viewer');
    expect((await call('GET', members(projectId), { cookie: viewer.cookie })).status).toBe(403);
    const res = await call('PATCH', `${members(projectId)}/${viewer.userId}`, { cookie: admin.cookie }, { role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: viewer.userId, role: 'admin' });
    expect((await call('GET', members(projectId), { cookie: viewer.cookie })).status).toBe(200);
  });

  it('removes a member, who then gets 404 for the project', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const viewer = await signIn(projectId, 'viewer');
    expect((await call('DELETE', `${members(projectId)}/${viewer.userId}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie: viewer.cookie })).status).toBe(404);
    expect((await call('GET', '/api/v1/traces', { cookie: viewer.cookie, project: projectId })).status).toBe(404);
    expect((await call('DELETE', `${members(projectId)}/${viewer.userId}`, { cookie: admin.cookie })).status).toBe(404);
  });

  it('never removes or demotes the last admin (409), but does once there is another', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const demote = await call('PATCH', `${members(projectId)}/${admin.userId}`, { cookie: admin.cookie }, { role: 'viewer' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/at least one admin/);
    expect((await call('DELETE', `${members(projectId)}/${admin.userId}`, { cookie: admin.cookie })).status).toBe(409);
    expect((await call('PATCH', `${members(projectId)}/${admin.userId}`, { cookie: admin.cookie }, { role: 'admin' })).status).toBe(200);

    const second = await makeUser(projectId, 'admin');
    expect((await call('PATCH', `${members(projectId)}/${admin.userId}`, { cookie: admin.cookie }, { role: 'reviewer' })).status).toBe(200);
    expect((await call('DELETE', `${members(projectId)}/${second.userId}`, { key: (await makeProject(['admin'])).key })).status).toBe(404);
    const secondCookie = await login(second.email, second.password);
    expect((await call('DELETE', `${members(projectId)}/${second.userId}`, { cookie: secondCookie })).status).toBe(409);
  });

  it('answers 404 for a user who is not a member', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const res = await call('PATCH', `${members(projectId)}/nobody`, { cookie: admin.cookie }, { role: 'viewer' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Member not found.');
  });
});
