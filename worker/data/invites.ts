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

/** Marks an invite used, once: false when it was used or expired meanwhile (a concurrent accept). */
export async function claimInvite(db: Db, { projectId, inviteId, now = Date.now() }: { projectId: string; inviteId: string; now?: number }): Promise<boolean> {
  const rows = await db
    .update(invites)
    .set({ usedAt: now })
    .where(and(eq(invites.projectId, projectId), eq(invites.id, inviteId), isNull(invites.usedAt), gt(invites.expiresAt, now)))
    .returning({ id: invites.id })
    .all();
  return rows.length > 0;
}

/** Records who accepted, once their account exists. */
export async function setInviteUser(db: Db, { projectId, inviteId, userId }: { projectId: string; inviteId: string; userId: string }): Promise<void> {
  await db.update(invites).set({ usedBy: userId }).where(and(eq(invites.projectId, projectId), eq(invites.id, inviteId)));
}
