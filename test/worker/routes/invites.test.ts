import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { claimInviteAtomically } from '../../../worker/data/invites';
import { call, cookieOf, login, makeProject, makeUser, ORIGIN, signIn } from '../helpers';

async function invite(role: 'admin' | 'reviewer' | 'viewer' = 'reviewer', email = `${crypto.randomUUID().slice(0, 8)}@example.test`) {
  const { projectId } = await makeProject();
  const admin = await signIn(projectId, 'admin');
  const res = await call('POST', `/api/v1/projects/${projectId}/members`, { cookie: admin.cookie }, { email, role });
  expect(res.status).toBe(201);
  const token = res.body.inviteUrl.split('/invite/')[1] as string;
  return { projectId, admin, email, token, res };
}

describe('invite flow', () => {
  it('invite → lookup → accept → signed in as a member → the token cannot be reused', async () => {
    const { projectId, admin, email, token, res } = await invite('reviewer');
    expect(res.body).toEqual({ id: expect.any(String), email, role: 'reviewer', inviteUrl: `${ORIGIN}/invite/${token}`, expiresAt: expect.any(String) });
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const lookup = await call('GET', `/api/v1/auth/invites/${token}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toEqual({ projectName: `Project ${projectId}`, email, role: 'reviewer', expiresAt: res.body.expiresAt, expired: false, hasAccount: false });

    const accepted = await call('POST', '/api/v1/auth/invites/accept', {}, { token, name: 'Nina', password: 'a long password' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email, name: 'Nina' });
    expect(accepted.body.currentProjectId).toBe(projectId);
    const cookie = cookieOf(accepted);
    expect(cookie).toMatch(/^sieve_session=/);
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie })).body.role).toBe('reviewer');
    expect(await login(email, 'a long password')).toMatch(/^sieve_session=/);

    const reuse = await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: 'another password' });
    expect(reuse.status).toBe(410);
    expect(reuse.body.error.message).toMatch(/already been used/);
    expect((await call('GET', `/api/v1/auth/invites/${token}`)).status).toBe(410);
    const list = await call('GET', `/api/v1/projects/${projectId}/members`, { cookie: admin.cookie });
    expect(list.body.invites).toEqual([]);
    expect(list.body.data.map((m: any) => m.email)).toContain(email);
  });

  it('requires a password of at least 10 characters from a new person', async () => {
    const { token } = await invite();
    expect((await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: 'short' })).status).toBe(400);
    const none = await call('POST', '/api/v1/auth/invites/accept', {}, { token });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/at least 10 characters/);
    expect((await call('GET', `/api/v1/auth/invites/${token}`)).status).toBe(200);
  });

  it('describes an expired invite on lookup and refuses it on accept (410)', async () => {
    const { projectId, token } = await invite();
    await env.DB.prepare('UPDATE invites SET expires_at = ? WHERE project_id = ?').bind(Date.now() - 1, projectId).run();
    const lookup = await call('GET', `/api/v1/auth/invites/${token}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body.expired).toBe(true);
    const res = await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: 'a long password' });
    expect(res.status).toBe(410);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('answers 404 with a clear message for an unknown token, and for a link replaced by a newer invite', async () => {
    const unknown = await call('GET', `/api/v1/auth/invites/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/not valid/);
    const first = await invite();
    const again = await call('POST', `/api/v1/projects/${first.projectId}/members`, { cookie: first.admin.cookie }, { email: first.email, role: 'viewer' });
    expect((await call('GET', `/api/v1/auth/invites/${first.token}`)).status).toBe(404);
    const token = again.body.inviteUrl.split('/invite/')[1];
    expect((await call('GET', `/api/v1/auth/invites/${token}`)).body.role).toBe('viewer');
  });

  it('for someone with an account: 401 until signed in, 403 when signed in as someone else, then joins keeping their password', async () => {
    const home = await makeProject();
    const existing = await makeUser(home.projectId, 'viewer');
    const { projectId, token } = await invite('viewer', existing.email);
    expect((await call('GET', `/api/v1/auth/invites/${token}`)).body.hasAccount).toBe(true);

    const anonymous = await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: 'a new password' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.message).toContain(existing.email);
    const stranger = await signIn(home.projectId, 'viewer');
    expect((await call('POST', '/api/v1/auth/invites/accept', { cookie: stranger.cookie }, { token })).status).toBe(403);

    const cookie = await login(existing.email, existing.password);
    const res = await call('POST', '/api/v1/auth/invites/accept', { cookie }, { token, password: 'ignored password' });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.body.projects.map((p: any) => p.id).sort()).toEqual([home.projectId, projectId].sort());
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie })).body.role).toBe('viewer');
    expect(await login(existing.email, existing.password)).toMatch(/^sieve_session=/);
  });

  it('rejects a cross-site accept', async () => {
    const { token } = await invite();
    const res = await fetchAccept(token, 'https://evil.example');
    expect(res.status).toBe(403);
    expect((await call('GET', `/api/v1/auth/invites/${token}`)).status).toBe(200);
  });
  it('accepts atomically: a storage failure leaves the invite open and no account behind, so a retry succeeds (issue #18.9)', async () => {
    const { projectId, email, token } = await invite('reviewer');
    const row = await env.DB.prepare('SELECT id FROM invites WHERE project_id = ? AND email = ?').bind(projectId, email).first<{ id: string }>();
    const failing = { prepare: (sql: string) => env.DB.prepare(sql), batch: async () => { throw new Error('D1 down'); } } as unknown as D1Database;
    await expect(
      claimInviteAtomically(failing, { projectId, inviteId: row!.id, now: Date.now(), userId: crypto.randomUUID(), newUser: { email, name: 'X' }, passwordHash: 'h', role: 'reviewer' }),
    ).rejects.toThrow('D1 down');
    expect(await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(email).first()).toEqual({ n: 0 });
    const accepted = await call('POST', '/api/v1/auth/invites/accept', {}, { token, name: 'Retry', password: 'a long password' });
    expect(accepted.status, accepted.text).toBe(200);
    const member = await env.DB.prepare('SELECT role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.project_id = ? AND u.email = ?').bind(projectId, email).first();
    expect(member).toEqual({ role: 'reviewer' });
    expect(await env.DB.prepare('SELECT used_by IS NOT NULL AS used FROM invites WHERE id = ?').bind(row!.id).first()).toEqual({ used: 1 });
  });
});

function fetchAccept(token: string, origin: string): Promise<Response> {
  return SELF.fetch(`${ORIGIN}/api/v1/auth/invites/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ token, password: 'a long password' }),
  });
}
