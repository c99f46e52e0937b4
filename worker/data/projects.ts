import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, projects } from '../db/schema';
import { iso } from '../lib/time';
import type { ProjectResponse } from '../schemas/projects';

/** The projects a person belongs to with their role in each, oldest membership first. */
export async function listProjectsOfUser(db: Db, { userId }: { userId: string }): Promise<ProjectResponse[]> {
  const rows = await db
    .select({ id: projects.id, name: projects.name, role: memberships.role, createdAt: projects.createdAt })
    .from(memberships)
    .innerJoin(projects, eq(projects.id, memberships.projectId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt, projects.id)
    .all();
  return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt) }));
}

/** Creates a project with its creator as the first admin, in one transaction. */
export async function createProject(db: Db, { name, adminUserId }: { name: string; adminUserId: string }): Promise<ProjectResponse> {
  const id = crypto.randomUUID();
  const createdAt = Date.now();
  await db.batch([
    db.insert(projects).values({ id, name, createdAt }),
    db.insert(memberships).values({ projectId: id, userId: adminUserId, role: 'admin', createdAt }),
  ]);
  return { id, name, role: 'admin', createdAt: iso(createdAt) };
}

/** The project without the caller's role; the route adds it from the request context. */
export async function getProject(db: Db, { projectId }: { projectId: string }): Promise<Omit<ProjectResponse, 'role'> | null> {
  const row = await db.select().from(projects).where(eq(projects.id, projectId)).get();
  return row ? { id: row.id, name: row.name, createdAt: iso(row.createdAt) } : null;
}

export async function renameProject(
  db: Db,
  { projectId, name }: { projectId: string; name: string },
): Promise<Omit<ProjectResponse, 'role'> | null> {
  const row = await db.update(projects).set({ name }).where(eq(projects.id, projectId)).returning().get();
  return row ? { id: row.id, name: row.name, createdAt: iso(row.createdAt) } : null;
}
