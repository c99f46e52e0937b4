import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { makeProject, ORIGIN, signIn } from '../helpers';

const post = (path: string, headers: Record<string, string>, body: unknown) =>
  SELF.fetch(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('CSRF check on cookie requests (issue #18.6)', () => {
  it('rejects a cross-site cookie request whatever non-key Authorization header it carries', async () => {
    const { projectId } = await makeProject();
    const { cookie } = await signIn(projectId, 'admin');
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Digest username="x"', 'Bearer ', 'Bearer', 'Token abc']) {
      const headers: Record<string, string> = { cookie, origin: 'http://evil.example' };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await post('/api/v1/projects', headers, { name: 'Planted' });
      expect(res.status, String(authorization)).toBe(403);
      expect((await res.json<any>()).error.message).toMatch(/Cross-site request rejected/);
    }
    const emptyKey = await post('/api/v1/projects', { cookie, origin: 'http://evil.example', 'x-api-key': '  ' }, { name: 'Planted' });
    expect(emptyKey.status).toBe(403);
  });

  it('exempts a request that authenticates as an API key, and still refuses an invalid key with 401', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const { cookie } = await signIn(projectId, 'admin');
    const withKey = await post('/api/v1/queues', { cookie, origin: 'http://evil.example', authorization: `Bearer ${key}` }, { name: 'From a script' });
    expect(withKey.status).toBe(201);
    const badKey = await post('/api/v1/queues', { cookie, origin: 'http://evil.example', authorization: 'Bearer sieve_not_a_key' }, { name: 'x' });
    expect(badKey.status).toBe(401);
  });
});
