import { and, eq, gt, lt, ne } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginAttempts, sessions } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';

/** Idle lifetime of a session; each use within it slides the expiry forward. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** Renew at most this often, so reads do not write on every request. */
const RENEW_AFTER_MS = 3600_000;

export async function createSession(
  db: Db,
  userId: string,
  now = Date.now(),
): Promise<{ token: string; tokenHash: string; expiresAt: number }> {
  const token = randomToken(32);
  const tokenHash = await sha256Hex(token);
  const expiresAt = now + SESSION_TTL_MS;
  await db.insert(sessions).values({ tokenHash, userId, expiresAt, createdAt: now, lastSeenAt: now });
  return { token, tokenHash, expiresAt };
}

/** The user of a live session, renewing it when due; null when unknown or expired. */
export async function resolveSession(
  db: Db,
  token: string,
  now = Date.now(),
): Promise<{ userId: string; tokenHash: string; expiresAt: number; renewed: boolean } | null> {
  const tokenHash = await sha256Hex(token);
  const row = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash)).get();
  if (!row || row.expiresAt <= now) return null;
  if (now - row.lastSeenAt < RENEW_AFTER_MS) return { userId: row.userId, tokenHash, expiresAt: row.expiresAt, renewed: false };
  const expiresAt = now + SESSION_TTL_MS;
  await db.update(sessions).set({ lastSeenAt: now, expiresAt }).where(eq(sessions.tokenHash, tokenHash));
  return { userId: row.userId, tokenHash, expiresAt, renewed: true };
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

/** Ends every session of the user but one (after a password change). */
export async function deleteOtherSessions(db: Db, { userId, keepTokenHash }: { userId: string; keepTokenHash: string }): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepTokenHash)));
}

/** Failed sign-ins per subject (`email:…`, `ip:…`) inside the window. */
export async function countFailures(db: Db, subject: string, sinceMs: number): Promise<number> {
  const rows = await db
    .select({ at: loginAttempts.at })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.subject, subject), gt(loginAttempts.at, sinceMs)))
    .all();
  return rows.length;
}

export async function recordFailure(db: Db, subjects: string[], now = Date.now()): Promise<void> {
  await db.insert(loginAttempts).values(subjects.map((subject) => ({ subject, at: now })));
  await db.delete(loginAttempts).where(lt(loginAttempts.at, now - 24 * 3600_000));
}

export async function clearFailures(db: Db, subject: string): Promise<void> {
  await db.delete(loginAttempts).where(eq(loginAttempts.subject, subject));
}
