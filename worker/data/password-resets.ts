import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { passwordResets } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';
import { RESET_TTL_MS } from '../lib/password-reset';

/**
 * Issues a one-time reset token for a user; earlier unused tokens of the user are withdrawn, so only
 * the newest link works. The token is returned once and stored only as its hash.
 */
export async function issueReset(db: Db, { userId, issuedBy, now = Date.now() }: { userId: string; issuedBy: string | null; now?: number }): Promise<{ token: string; expiresAt: number }> {
  const token = randomToken(32);
  const expiresAt = now + RESET_TTL_MS;
  await db.batch([
    db.delete(passwordResets).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt))),
    db.insert(passwordResets).values({ tokenHash: await sha256Hex(token), userId, issuedBy, createdAt: now, expiresAt }),
  ]);
  return { token, expiresAt };
}

/** Uses a token: the user it belongs to, or null when unknown, used or expired. Marks it used in the same statement, so it works once. */
export async function claimReset(db: Db, { token, now = Date.now() }: { token: string; now?: number }): Promise<string | null> {
  const row = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.tokenHash, await sha256Hex(token)), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning({ userId: passwordResets.userId })
    .get();
  return row?.userId ?? null;
}
