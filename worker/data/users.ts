import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, projects, users } from '../db/schema';
import type { Role } from '../schemas/common';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  return (await db.select().from(users).where(eq(users.email, email.toLowerCase())).get()) ?? null;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  return (await db.select().from(users).where(eq(users.id, id)).get()) ?? null;
}

/** The projects a user belongs to, oldest membership first. */
export async function listUserProjects(db: Db, userId: string): Promise<{ id: string; name: string; role: Role }[]> {
  return db
    .select({ id: projects.id, name: projects.name, role: memberships.role })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt, projects.id)
    .all();
}

export async function findRole(db: Db, userId: string, projectId: string): Promise<Role | null> {
  const row = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.projectId, projectId)))
    .get();
  return row?.role ?? null;
}

export async function setPassword(db: Db, { userId, passwordHash }: { userId: string; passwordHash: string }): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
}
