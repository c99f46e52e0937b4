import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, getJson, login, makeProject, makeUser, ORIGIN } from '../helpers';

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('POST /api/v1/auth/login', () => {
  it('sets an HttpOnly SameSite=Lax session cookie and returns the user with projects', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'reviewer');
    const res = await post('/api/v1/auth/login', { email: u.email.toUpperCase(), password: u.password }, { origin: ORIGIN });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sieve_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const body = (await res.json()) as any;
    expect(body.user.email).toBe(u.email);
    expect(body.projects).toEqual([{ id: projectId, name: `Project ${projectId}`, role: 'reviewer' }]);
    expect(JSON.stringify(body)).not.toContain(u.password);
  });

  it('answers 401 with a clear error for a wrong password or unknown email', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const wrong = await post('/api/v1/auth/login', { email: u.email, password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as any).error).toMatchObject({ code: 'unauthorized', message: 'Wrong email or password.' });
    expect((await post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'x' })).status).toBe(401);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const res = await post('/api/v1/auth/login', { email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details[0].path).toBe('email');
  });

  it('throttles repeated failures for one email with 429 and Retry-After, even with the right password', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    for (let i = 0; i < 5; i++) expect((await post('/api/v1/auth/login', { email: u.email, password: 'bad' })).status).toBe(401);
    const res = await post('/api/v1/auth/login', { email: u.email, password: u.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rejects a cross-site sign-in', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    expect((await post('/api/v1/auth/login', { email: u.email, password: u.password }, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('stores no password or session token in clear text', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const cookie = await login(u.email, u.password);
    const token = cookie.split('=')[1];
    const dump = JSON.stringify([
      await env.DB.prepare('SELECT * FROM users').all(),
      await env.DB.prepare('SELECT * FROM sessions').all(),
    ]);
    expect(dump).not.toContain(u.password);
    expect(dump).not.toContain(token);
    expect(dump).toContain('pbkdf2-sha256$');
  });
});

describe('sessions', () => {
  it('lets a signed-in user read /me and traces, and not after logout', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const cookie = await login(u.email, u.password);
    expect((await getJson('/api/v1/me', { cookie })).body.currentProjectId).toBe(projectId);
    expect((await getJson('/api/v1/traces', { cookie })).status).toBe(200);
    const out = await SELF.fetch(`${ORIGIN}/api/v1/auth/logout`, { method: 'POST', headers: { cookie, origin: ORIGIN } });
    expect(out.status).toBe(204);
    expect((await getJson('/api/v1/me', { cookie })).status).toBe(401);
  });

  it('expires a session after its idle lifetime', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const cookie = await login(u.email, u.password);
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?').bind(Date.now() - 1, u.userId).run();
    const res = await getJson('/api/v1/me', { cookie });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('signs out everywhere', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const a = await login(u.email, u.password);
    const b = await login(u.email, u.password);
    const res = await SELF.fetch(`${ORIGIN}/api/v1/auth/logout-all`, { method: 'POST', headers: { cookie: a, origin: ORIGIN } });
    expect(res.status).toBe(204);
    expect((await getJson('/api/v1/me', { cookie: b })).status).toBe(401);
  });

  it('rejects a cross-site state change made with the session cookie (CSRF)', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const cookie = await login(u.email, u.password);
    const evil = await SELF.fetch(`${ORIGIN}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(evil.status).toBe(403);
    const noOrigin = await SELF.fetch(`${ORIGIN}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(noOrigin.status).toBe(403);
    expect((await getJson('/api/v1/me', { cookie })).status).toBe(200);
  });

  it('shows a user only the projects they belong to: another project is 404', async () => {
    const a = await makeProject();
    const b = await makeProject();
    const u = await makeUser(a.projectId, 'admin');
    const cookie = await login(u.email, u.password);
    expect((await getJson('/api/v1/traces', { cookie, project: b.projectId })).status).toBe(404);
  });
});

describe('POST /api/v1/auth/password', () => {
  const change = (cookie: string, body: unknown) => call('POST', '/api/v1/auth/password', { cookie }, body);

  it('changes the password, keeps this session and ends the others', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const here = await login(u.email, u.password);
    const elsewhere = await login(u.email, u.password);
    expect((await change(here, { currentPassword: u.password, newPassword: 'a brand new password' })).status).toBe(204);
    expect((await getJson('/api/v1/me', { cookie: here })).status).toBe(200);
    expect((await getJson('/api/v1/me', { cookie: elsewhere })).status).toBe(401);
    await expect(login(u.email, u.password)).rejects.toThrow(/401/);
    expect(await login(u.email, 'a brand new password')).toMatch(/^sieve_session=/);
  });

  it('refuses a wrong current password (403) and a short new one (400), and throttles guessing (429)', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const cookie = await login(u.email, u.password);
    expect((await change(cookie, { currentPassword: u.password, newPassword: 'short' })).status).toBe(400);
    const wrong = await change(cookie, { currentPassword: 'guess', newPassword: 'a brand new password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toMatch(/current password/);
    for (let i = 0; i < 4; i++) await change(cookie, { currentPassword: 'guess', newPassword: 'a brand new password' });
    expect((await change(cookie, { currentPassword: u.password, newPassword: 'a brand new password' })).status).toBe(429);
  });

  it('is for people: an API key gets 403', async () => {
    const { key } = await makeProject(['admin']);
    expect((await call('POST', '/api/v1/auth/password', { key }, { currentPassword: 'x', newPassword: 'a brand new password' })).status).toBe(403);
  });
});
