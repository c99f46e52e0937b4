import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../../worker/db/client';
import { users } from '../../../worker/db/schema';
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
  it('with a password, creates the account and adds the member, who can then sign in', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const email = `${crypto.randomUUID().slice(0, 8)}@example.test`;
    const res = await call('POST', members(projectId), { cookie: admin.cookie }, { email, role: 'reviewer', name: 'Rita', password: 'first password 1' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ userId: expect.any(String), email, name: 'Rita', role: 'reviewer', joinedAt: expect.any(String) });
    const cookie = await login(email, 'first password 1');
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie })).body.role).toBe('reviewer');
  });

  it('with a password, sets the first password of an existing account that has none', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const email = `${crypto.randomUUID().slice(0, 8)}@example.test`;
    await getDb(env.DB).insert(users).values({ id: crypto.randomUUID(), email, name: '', passwordHash: null });
    const res = await call('POST', members(projectId), { cookie: admin.cookie }, { email, role: 'viewer', password: 'first password 2' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, role: 'viewer' });
    expect(await login(email, 'first password 2')).toMatch(/^sieve_session=/);
  });

  it('refuses to set a password for someone who already has one (409), and a second membership (409)', async () => {
    const { projectId } = await makeProject();
    const other = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const existing = await makeUser(other.projectId, 'viewer');
    const pw = await call('POST', members(projectId), { cookie: admin.cookie }, { email: existing.email, role: 'viewer', password: 'takeover attempt' });
    expect(pw.status).toBe(409);
    expect(pw.body.error.message).toMatch(/already has a password/);
    expect(await login(existing.email, existing.password)).toMatch(/^sieve_session=/);
    const member = await makeUser(projectId, 'viewer');
    const again = await call('POST', members(projectId), { cookie: admin.cookie }, { email: member.email, role: 'admin' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already a member/);
  });

  it('rejects a short password and an unknown role with 400', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const short = await call('POST', members(projectId), { cookie: admin.cookie }, { email: 'a@example.test', role: 'viewer', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe('password');
    expect((await call('POST', members(projectId), { cookie: admin.cookie }, { email: 'a@example.test', role: 'owner' })).status).toBe(400);
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
