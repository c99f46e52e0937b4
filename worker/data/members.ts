import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, users } from '../db/schema';
import { iso } from '../lib/time';
import type { Role } from '../schemas/common';
import type { MemberResponse } from '../schemas/projects';

const memberColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  role: memberships.role,
  joinedAt: memberships.createdAt,
};

function toMember(r: { userId: string; email: string; name: string; role: Role; joinedAt: number }): MemberResponse {
  return { ...r, joinedAt: iso(r.joinedAt) };
}

export async function listMembers(db: Db, { projectId }: { projectId: string }): Promise<MemberResponse[]> {
  const rows = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.projectId, projectId))
    .orderBy(asc(memberships.createdAt), asc(users.email))
    .all();
  return rows.map(toMember);
}

export async function findMember(db: Db, { projectId, userId }: { projectId: string; userId: string }): Promise<MemberResponse | null> {
  const row = await db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId)))
    .get();
  return row ? toMember(row) : null;
}

/**
 * True unless the row is the project's last admin. Part of the same statement as the change, so two
 * admins demoting each other at once cannot both succeed and leave the project without one.
 */
const keepsAnAdmin = (projectId: string) =>
  sql`(${memberships.role} <> 'admin' OR (SELECT count(*) FROM memberships m WHERE m.project_id = ${projectId} AND m.role = 'admin') > 1)`;

/** Changes a role; false when there is no such member or the change would leave no admin. */
export async function updateMemberRole(
  db: Db,
  { projectId, userId, role }: { projectId: string; userId: string; role: Role },
): Promise<boolean> {
  const guard = role === 'admin' ? sql`1` : keepsAnAdmin(projectId);
  const rows = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId), guard))
    .returning({ userId: memberships.userId })
    .all();
  return rows.length > 0;
}

/** Removes a member; false when there is no such member or they are the last admin. */
export async function removeMember(db: Db, { projectId, userId }: { projectId: string; userId: string }): Promise<boolean> {
  const rows = await db
    .delete(memberships)
    .where(and(eq(memberships.projectId, projectId), eq(memberships.userId, userId), keepsAnAdmin(projectId)))
    .returning({ userId: memberships.userId })
    .all();
  return rows.length > 0;
}
