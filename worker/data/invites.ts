import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { invites, projects, users } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';
import { iso } from '../lib/time';
import type { Role } from '../schemas/common';
import type { PendingInviteResponse } from '../schemas/projects';

/** How long an invite link works. */
export const INVITE_TTL_MS = 7 * 24 * 3600_000;

/**
 * Creates an invite and returns its one-time token: the only time it exists outside the link.
 * An earlier unused invite for the same email and project is withdrawn, so only the newest link works.
 */
export async function createInvite(
  db: Db,
  input: { projectId: string; email: string; role: Role; invitedBy: string | null; now?: number },
): Promise<{ id: string; token: string; expiresAt: number }> {
  const now = input.now ?? Date.now();
  const token = randomToken(32);
  const id = crypto.randomUUID();
  const expiresAt = now + INVITE_TTL_MS;
  await db.batch([
    db
      .delete(invites)
      .where(and(eq(invites.projectId, input.projectId), eq(invites.email, input.email), isNull(invites.usedAt))),
    db.insert(invites).values({
      id,
      projectId: input.projectId,
      email: input.email,
      role: input.role,
      tokenHash: await sha256Hex(token),
      invitedBy: input.invitedBy,
      createdAt: now,
      expiresAt,
    }),
  ]);
  return { id, token, expiresAt };
}

/** Invites of the project that are neither used nor expired, newest first. */
export async function listPendingInvites(db: Db, { projectId, now = Date.now() }: { projectId: string; now?: number }): Promise<PendingInviteResponse[]> {
  const rows = await db
    .select({
      id: invites.id,
      email: invites.email,
      role: invites.role,
      invitedBy: users.email,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .leftJoin(users, eq(users.id, invites.invitedBy))
    .where(and(eq(invites.projectId, projectId), isNull(invites.usedAt), gt(invites.expiresAt, now)))
    .orderBy(desc(invites.createdAt))
    .all();
  return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt), expiresAt: iso(r.expiresAt) }));
}

export interface InviteRow {
  id: string;
  projectId: string;
  projectName: string;
  email: string;
  role: Role;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * The invite a token opens, whatever its project: the 256-bit token is itself the credential, and
 * the person following the link belongs to no project yet.
 */
export async function findInviteByToken(db: Db, token: string): Promise<InviteRow | null> {
  const row = await db
    .select({
      id: invites.id,
      projectId: invites.projectId,
      projectName: projects.name,
      email: invites.email,
      role: invites.role,
      expiresAt: invites.expiresAt,
      usedAt: invites.usedAt,
    })
    .from(invites)
    .innerJoin(projects, eq(projects.id, invites.projectId))
    .where(eq(invites.tokenHash, await sha256Hex(token)))
    .get();
  return row ?? null;
}

const CLAIMED_BY = 'EXISTS (SELECT 1 FROM invites WHERE project_id = ?1 AND id = ?2 AND used_at = ?3 AND used_by = ?4)';

/**
 * Accepts an invite in one transaction: the account (when new), the claim, a first password and the
 * membership either all happen or none does, so a failure half-way cannot leave a used invite without
 * its member (a retry would then be told the invite is gone). False when the invite was used or
 * expired meanwhile.
 */
export async function claimInviteAtomically(
  d1: D1Database,
  a: { projectId: string; inviteId: string; now: number; userId: string; newUser: { email: string; name: string } | null; passwordHash: string | null; role: Role },
): Promise<boolean> {
  const statements: D1PreparedStatement[] = [];
  if (a.newUser) {
    statements.push(
      d1.prepare(`INSERT INTO users (id, email, name, password_hash) SELECT ?4, ?5, ?6, ?7
        WHERE EXISTS (SELECT 1 FROM invites WHERE project_id = ?1 AND id = ?2 AND used_at IS NULL AND expires_at > ?3)`)
        .bind(a.projectId, a.inviteId, a.now, a.userId, a.newUser.email.toLowerCase(), a.newUser.name, a.passwordHash),
    );
  }
  statements.push(
    d1.prepare(`UPDATE invites SET used_at = ?3, used_by = ?4 WHERE project_id = ?1 AND id = ?2 AND used_at IS NULL AND expires_at > ?3 RETURNING id`)
      .bind(a.projectId, a.inviteId, a.now, a.userId),
    d1.prepare(`UPDATE users SET password_hash = ?5 WHERE id = ?4 AND password_hash IS NULL AND ?5 IS NOT NULL AND ${CLAIMED_BY}`)
      .bind(a.projectId, a.inviteId, a.now, a.userId, a.passwordHash),
    d1.prepare(`INSERT INTO memberships (project_id, user_id, role) SELECT ?1, ?4, ?5 WHERE ${CLAIMED_BY} ON CONFLICT DO NOTHING`)
      .bind(a.projectId, a.inviteId, a.now, a.userId, a.role),
  );
  const results = await d1.batch(statements);
  return results[a.newUser ? 1 : 0].results.length > 0;
}
