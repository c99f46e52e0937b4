import { env, SELF } from 'cloudflare:test';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCESS_HEADER, setAccessCertsSource } from '../../../worker/middleware/cf-access';
import { AUD, claimsFor, keyPair, publicJwk, sign, TEAM } from '../access-keys';
import { call, cookieOf, makeProject, makeUser, ORIGIN } from '../helpers';

let signer: CryptoKeyPair;
let certFetches = 0;
const vars = env as unknown as Record<string, string>;

beforeAll(async () => {
  signer = await keyPair();
});

beforeEach(async () => {
  vars.CF_ACCESS_TEAM_DOMAIN = TEAM;
  vars.CF_ACCESS_AUD = AUD;
  certFetches = 0;
  const jwk = await publicJwk(signer, 'k1');
  setAccessCertsSource(async (team) => {
    expect(team).toBe(TEAM);
    certFetches++;
    return { keys: [jwk] };
  });
});

afterEach(() => {
  vars.CF_ACCESS_TEAM_DOMAIN = '';
  vars.CF_ACCESS_AUD = '';
  setAccessCertsSource(null);
  vi.restoreAllMocks();
});

async function me(token: string) {
  const res = await SELF.fetch(`${ORIGIN}/api/v1/me`, { headers: { [ACCESS_HEADER]: token } });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

describe('Cloudflare Access sign-in', () => {
  it('signs in the existing user a valid token names, with a session for later requests', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'reviewer');
    const res = await me(await sign(signer.privateKey, claimsFor(u.email.toUpperCase())));
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(u.email);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^sieve_session=/);
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie })).body.role).toBe('reviewer');
    expect((await me(await sign(signer.privateKey, claimsFor(u.email)))).status).toBe(200);
    expect(certFetches).toBe(1);
  });

  it('refuses a bad token with 401, no session and a logged reason', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const res = await me(await sign(signer.privateKey, claimsFor(u.email, { aud: ['another-app'] })));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/Cloudflare Access token is not valid/);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(String(warn.mock.calls[0]?.[0])).toContain('wrong audience');
  });

  it('refetches the certs once for an unknown key id (key rotation)', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    expect((await me(await sign(signer.privateKey, claimsFor(u.email)))).status).toBe(200);
    const rotated = await keyPair();
    const jwk = await publicJwk(rotated, 'k2');
    setAccessCertsSource(async () => {
      certFetches++;
      return { keys: [jwk] };
    });
    expect((await me(await sign(rotated.privateKey, claimsFor(u.email), { alg: 'RS256', kid: 'k2' }))).status).toBe(200);
    expect(certFetches).toBe(2);
  });

  it('names the email when Sieve has no account for it', async () => {
    const res = await me(await sign(signer.privateKey, claimsFor('stranger@example.test')));
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('stranger@example.test');
  });

  it('ignores the header when Access is not configured', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'viewer');
    vars.CF_ACCESS_AUD = '';
    expect((await me(await sign(signer.privateKey, claimsFor(u.email)))).status).toBe(401);
    expect(certFetches).toBe(0);
  });
});
