import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { resetPasswordSql } from '../../../worker/cli/admin-sql';
import { sha256Hex } from '../../../worker/lib/crypto';
import { RESET_TTL_MS } from '../../../worker/lib/password-reset';
import { call, login, makeProject, makeUser } from '../helpers';

describe('npm run admin -- reset-password (its SQL)', () => {
  it('issues a one-time link for an existing account that sets a new password, and returns nothing for an unknown email', async () => {
    const { projectId } = await makeProject();
    const u = await makeUser(projectId, 'admin');
    const token = 'operator-token-0123456789abcdef';
    const run = async (email: string) => {
      const statements = resetPasswordSql({ email, tokenHash: await sha256Hex(token), now: Date.now(), ttlMs: RESET_TTL_MS }).split('\n');
      const results = await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
      return results.at(-1)!.results as { user_id: string }[];
    };
    expect(await run('nobody@example.test')).toEqual([]);
    expect(await run(u.email.toUpperCase())).toEqual([{ user_id: u.userId }]);
    expect((await call('POST', '/api/v1/auth/password-reset', {}, { token, newPassword: 'operator reset password' })).status).toBe(204);
    expect(await login(u.email, 'operator reset password')).toMatch(/^sieve_session=/);
  });
});
