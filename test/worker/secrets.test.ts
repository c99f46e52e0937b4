import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { dataBindings, shardDb } from '../../worker/data/shards';
import { call, cookieOf, login, makeProject, makeUser, signIn } from './helpers';

/** Every row of every table of every database (the control database and each shard), as text. */
async function dumpD1(): Promise<string> {
  const dumps = await Promise.all(dataBindings(env).map(async (binding) => {
    const db = shardDb(env, binding);
    const { results } = await db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    return Promise.all(results.map(async ({ name }) => [binding, name, (await db.prepare(`SELECT * FROM "${name}"`).all()).results]));
  }));
  return JSON.stringify(dumps);
}

describe('secrets', () => {
  it('keeps passwords, API keys and invite tokens out of D1 and out of every later response', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const auth = { cookie: admin.cookie };
    const base = `/api/v1/projects/${projectId}`;
    const key = (await call('POST', `${base}/api-keys`, auth, { name: 'ci', scopes: ['ingest'] })).body.key as string;
    const invite = await call('POST', `${base}/members`, auth, { email: 'invitee@example.test', role: 'viewer' });
    const token = invite.body.inviteUrl.split('/invite/')[1] as string;
    const secrets = {
      key,
      token,
      resetPassword: 'password chosen through a reset link',
      invitePassword: 'password chosen on accept',
      changedPassword: 'password after a change',
      adminPassword: admin.password,
    };
    const forgetful = await makeUser(projectId, 'reviewer');
    const reset = await call('POST', `${base}/members/${forgetful.userId}/password-reset`, auth);
    const resetToken = reset.body.resetUrl.split('/reset-password/')[1] as string;
    expect((await call('POST', '/api/v1/auth/password-reset', {}, { token: resetToken, newPassword: secrets.resetPassword })).status).toBe(204);
    Object.assign(secrets, { resetToken });
    const accepted = await call('POST', '/api/v1/auth/invites/accept', {}, { token, password: secrets.invitePassword });
    expect(accepted.status).toBe(200);
    expect((await call('POST', '/api/v1/auth/password', auth, { currentPassword: admin.password, newPassword: secrets.changedPassword })).status).toBe(204);

    const dump = await dumpD1();
    expect(dump).toContain('invites');
    for (const [what, secret] of Object.entries(secrets)) expect(dump, `${what} stored in clear`).not.toContain(secret);

    const later = [
      accepted,
      await call('GET', `${base}/api-keys`, auth),
      await call('GET', `${base}/members`, auth),
      await call('GET', '/api/v1/projects', auth),
      await call('GET', base, auth),
      await call('GET', '/api/v1/me', { cookie: cookieOf(accepted) }),
      await call('GET', `/api/v1/auth/invites/${token}`),
      await call('POST', '/api/v1/auth/login', {}, { email: admin.email, password: secrets.changedPassword }),
    ];
    for (const res of later) {
      for (const [what, secret] of Object.entries(secrets)) expect(res.text, `${what} in a later response`).not.toContain(secret);
    }
    expect(await login(forgetful.email, secrets.resetPassword)).toMatch(/^sieve_session=/);
  });
});
