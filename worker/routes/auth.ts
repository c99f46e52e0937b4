import { Hono, type Context } from 'hono';
import { clearFailures, countFailures, createSession, deleteOtherSessions, deleteSession, deleteUserSessions, recordFailure } from '../data/sessions';
import { findUserByEmail, findUserById, setPassword } from '../data/users';
import { getDb } from '../db/client';
import { hashPassword, verifyPassword } from '../lib/crypto';
import { Forbidden, Gone, TooManyRequests, Unauthorized } from '../lib/errors';
import { jsonBody } from '../lib/validate';
import { authenticate, requireUser, type AppEnv } from '../middleware/auth';
import { clearSessionCookie, setSessionCookie } from '../middleware/session-cookie';
import { ChangePasswordBody, LoginBody, ResetPasswordBody } from '../schemas/auth';
import { claimReset } from '../data/password-resets';
import { revalidateUserQueues } from '../queues/revoke';
import { meResponse } from './me';

/** Failed sign-ins allowed per window before 429. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perEmail: 5, perIp: 50 };

function clientIp(c: Context): string {
  return c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local';
}

const routes = new Hono<AppEnv>()
  .post('/login', async (c) => {
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) throw new Forbidden('Cross-site sign-in rejected.');
    const body = await jsonBody(c, LoginBody);
    const db = getDb(c.env.DB);
    const now = Date.now();
    const subjects = [`email:${body.email}`, `ip:${clientIp(c)}`];
    const since = now - LOGIN_LIMITS.windowMs;
    const [byEmail, byIp] = await Promise.all(subjects.map((s) => countFailures(db, s, since)));
    if (byEmail >= LOGIN_LIMITS.perEmail || byIp >= LOGIN_LIMITS.perIp) {
      throw new TooManyRequests('Too many failed sign-ins. Wait a few minutes and try again.', LOGIN_LIMITS.windowMs / 1000);
    }
    const user = await findUserByEmail(db, body.email);
    const ok = !!user?.passwordHash && (await verifyPassword(body.password, user.passwordHash));
    if (!user || !ok) {
      await recordFailure(db, subjects, now);
      throw new Unauthorized('Wrong email or password.');
    }
    await clearFailures(db, subjects[0]);
    const session = await createSession(db, user.id, now);
    setSessionCookie(c, session.token, session.expiresAt);
    return c.json(await meResponse(db, { userId: user.id, email: user.email, name: user.name }, c));
  })
  .post('/logout', authenticate, async (c) => {
    const p = c.get('principal');
    if (p.kind === 'user') {
      await deleteSession(getDb(c.env.DB), p.sessionTokenHash);
      c.executionCtx.waitUntil(revalidateUserQueues(c.env, p.userId).catch(() => undefined));
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .post('/logout-all', authenticate, async (c) => {
    const p = c.get('principal');
    if (p.kind === 'user') {
      await deleteUserSessions(getDb(c.env.DB), p.userId);
      c.executionCtx.waitUntil(revalidateUserQueues(c.env, p.userId).catch(() => undefined));
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .post('/password', authenticate, requireUser, async (c) => {
    const body = await jsonBody(c, ChangePasswordBody);
    const db = getDb(c.env.DB);
    const me = c.get('user');
    // Throttled like sign-in: a borrowed session must not become a way to guess the password.
    const subject = `email:${me.email}`;
    if ((await countFailures(db, subject, Date.now() - LOGIN_LIMITS.windowMs)) >= LOGIN_LIMITS.perEmail) {
      throw new TooManyRequests('Too many wrong passwords. Wait a few minutes and try again.', LOGIN_LIMITS.windowMs / 1000);
    }
    const user = await findUserById(db, me.userId);
    if (!user?.passwordHash || !(await verifyPassword(body.currentPassword, user.passwordHash))) {
      await recordFailure(db, [subject]);
      throw new Forbidden('The current password is wrong.');
    }
    await setPassword(db, { userId: me.userId, passwordHash: await hashPassword(body.newPassword) });
    // Whoever knew the old password is signed out everywhere else; this session stays.
    await deleteOtherSessions(db, { userId: me.userId, keepTokenHash: me.sessionTokenHash });
    c.executionCtx.waitUntil(revalidateUserQueues(c.env, me.userId).catch(() => undefined));
    return c.body(null, 204);
  })
  .post('/password-reset', async (c) => {
    // Public: the one-time token is the credential. Like sign-in, only from the app's own origin.
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) throw new Forbidden('Cross-site password reset rejected.');
    const body = await jsonBody(c, ResetPasswordBody);
    const db = getDb(c.env.DB);
    const userId = await claimReset(db, { token: body.token });
    if (!userId) throw new Gone('This reset link is not valid, was already used or has expired. Ask a project admin for a new one.');
    await setPassword(db, { userId, passwordHash: await hashPassword(body.newPassword) });
    // Whoever was signed in as this person (perhaps the reason for the reset) is signed out everywhere.
    await deleteUserSessions(db, userId);
    await clearFailures(db, `email:${(await findUserById(db, userId))?.email ?? ''}`);
    c.executionCtx.waitUntil(revalidateUserQueues(c.env, userId).catch(() => undefined));
    return c.body(null, 204);
  });

export default routes;
export type AuthRoutes = typeof routes;
