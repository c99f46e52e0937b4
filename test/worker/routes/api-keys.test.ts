import { describe, expect, it } from 'vitest';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, signIn } from '../helpers';

const keys = (projectId: string) => `/api/v1/projects/${projectId}/api-keys`;

describe('POST /api/v1/projects/:projectId/api-keys', () => {
  it('returns the full key once; lists show only its prefix, scopes, creator and times', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const res = await call('POST', keys(projectId), { cookie: admin.cookie }, { name: 'CI', scopes: ['read', 'read'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'CI',
      key: expect.stringMatching(/^sieve_[A-Za-z0-9_-]{40,}$/),
      prefix: res.body.key.slice(0, 12),
      scopes: ['read'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
      createdBy: admin.email,
    });
    const list = await call('GET', keys(projectId), { cookie: admin.cookie });
    expect(list.status).toBe(200);
    const { key: _secret, ...listed } = res.body;
    expect(list.body.data).toContainEqual(listed);
    expect(list.text).not.toContain(res.body.key);
  });

  it('makes a key that works for its scopes only', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const read = (await call('POST', keys(projectId), { cookie: admin.cookie }, { name: 'reader', scopes: ['read'] })).body.key;
    const ingest = (await call('POST', keys(projectId), { cookie: admin.cookie }, { name: 'sender', scopes: ['ingest'] })).body.key;
    const traceId = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(traceId, undefined)]), ingest)).status).toBe(200);
    expect((await postOtlp(otlpJson([llmSpan(hex(16), undefined)]), read)).status).toBe(403);
    expect((await call('GET', `/api/v1/traces/${traceId}`, { key: read })).status).toBe(200);
    expect((await call('GET', `/api/v1/traces/${traceId}`, { key: ingest })).status).toBe(403);
    expect((await call('GET', keys(projectId), { key: read })).status).toBe(403);
    expect((await call('POST', keys(projectId), { key: read }, { name: 'escalate', scopes: ['admin'] })).status).toBe(403);
  });

  it('records when a key was last used', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const created = (await call('POST', keys(projectId), { cookie: admin.cookie }, { name: 'used', scopes: ['read'] })).body;
    await call('GET', '/api/v1/traces', { key: created.key });
    // The touch runs in waitUntil, after the response.
    let lastUsedAt = null;
    for (let i = 0; i < 50 && !lastUsedAt; i++) {
      await new Promise((r) => setTimeout(r, 10));
      lastUsedAt = (await call('GET', keys(projectId), { cookie: admin.cookie })).body.data.find((k: any) => k.id === created.id).lastUsedAt;
    }
    expect(Date.parse(lastUsedAt)).toBeGreaterThan(0);
  });

  it('gives a viewer and a reviewer 403, and answers 400 without scopes', async () => {
    const { projectId } = await makeProject();
    for (const role of ['viewer', 'reviewer'] as const) {
      const u = await signIn(projectId, role);
      const res = await call('POST', keys(projectId), { cookie: u.cookie }, { name: 'x', scopes: ['read'] });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(`(${role})`);
      expect((await call('GET', keys(projectId), { cookie: u.cookie })).status).toBe(403);
    }
    const admin = await signIn(projectId, 'admin');
    const empty = await call('POST', keys(projectId), { cookie: admin.cookie }, { name: 'x', scopes: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details[0].path).toBe('scopes');
  });
});

describe('DELETE /api/v1/projects/:projectId/api-keys/:keyId', () => {
  it('revokes a key so that its next request is 401, and keeps it listed as revoked', async () => {
    const { projectId, key: adminKey } = await makeProject(['admin']);
    const created = (await call('POST', keys(projectId), { key: adminKey }, { name: 'doomed', scopes: ['read'] })).body;
    expect(created.createdBy).toBeNull();
    expect((await call('GET', '/api/v1/traces', { key: created.key })).status).toBe(200);
    const res = await call('DELETE', `${keys(projectId)}/${created.id}`, { key: adminKey });
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.revokedAt)).toBeGreaterThan(0);
    expect(res.text).not.toContain(created.key);
    const after = await call('GET', '/api/v1/traces', { key: created.key });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
    const again = await call('DELETE', `${keys(projectId)}/${created.id}`, { key: adminKey });
    expect(again.body.revokedAt).toBe(res.body.revokedAt);
    expect((await call('GET', keys(projectId), { key: adminKey })).body.data.find((k: any) => k.id === created.id).revokedAt).toBe(res.body.revokedAt);
  });

  it('answers 404 for a key id the project does not have', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const res = await call('DELETE', `${keys(projectId)}/no-such-key`, { key });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('API key not found.');
  });
});
