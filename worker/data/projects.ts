import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { memberships, projects } from '../db/schema';
import { iso } from '../lib/time';
import { patternProblem, RedactionConfig, type ProjectDetailResponse, type ProjectResponse, type UpdateProjectBody } from '../schemas/projects';

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

/** Creates a project on the given data shard (see worker/data/shards.ts) with its creator as the first admin, in one transaction. */
export async function createProject(db: Db, { name, adminUserId, shard }: { name: string; adminUserId: string; shard: string }): Promise<ProjectResponse> {
  const id = crypto.randomUUID();
  const createdAt = Date.now();
  await db.batch([
    db.insert(projects).values({ id, name, createdAt, shard }),
    db.insert(memberships).values({ projectId: id, userId: adminUserId, role: 'admin', createdAt }),
  ]);
  return { id, name, role: 'admin', createdAt: iso(createdAt) };
}

type ProjectRow = typeof projects.$inferSelect;

/**
 * The stored redaction rules with defaults filled in. A value that no longer parses (written by
 * hand, or by an older schema) falls back to the defaults rather than turning redaction off.
 */
export function parseRedaction(text: string): RedactionConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const parsed = RedactionConfig.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Patterns saved before they ran on RE2 may not compile there: drop those, keep every other rule.
  const patterns = (raw as { customPatterns?: unknown })?.customPatterns;
  if (Array.isArray(patterns)) {
    const usable = patterns.filter((p) => typeof p?.pattern === 'string' && !patternProblem(p.pattern, p.ignoreCase === true));
    const retry = RedactionConfig.safeParse({ ...(raw as object), customPatterns: usable });
    if (retry.success) return retry.data;
  }
  return RedactionConfig.parse({});
}

function detail(row: ProjectRow): Omit<ProjectDetailResponse, 'role'> {
  return { id: row.id, name: row.name, createdAt: iso(row.createdAt), retentionDays: row.retentionDays, redaction: parseRedaction(row.redaction) };
}

/** The project with its settings, without the caller's role; the route adds it from the request context. */
export async function getProject(db: Db, { projectId }: { projectId: string }): Promise<Omit<ProjectDetailResponse, 'role'> | null> {
  const row = await db.select().from(projects).where(eq(projects.id, projectId)).get();
  return row ? detail(row) : null;
}

/** Just the redaction rules, for ingest (which caches them; see worker/ingest/redaction-cache.ts). */
export async function getRedactionConfig(db: Db, { projectId }: { projectId: string }): Promise<RedactionConfig | null> {
  const row = await db.select({ redaction: projects.redaction }).from(projects).where(eq(projects.id, projectId)).get();
  return row ? parseRedaction(row.redaction) : null;
}

/**
 * Applies a settings change: the name, retention, and redaction (detectors merged into the current
 * ones, lists replaced). The merged rules are validated whole and stored with defaults filled in.
 */
export async function updateProject(
  db: Db,
  { projectId, change }: { projectId: string; change: UpdateProjectBody },
): Promise<Omit<ProjectDetailResponse, 'role'> | null> {
  const set: Partial<Pick<ProjectRow, 'name' | 'retentionDays' | 'redaction'>> = {};
  if (change.name !== undefined) set.name = change.name;
  if (change.retentionDays !== undefined) set.retentionDays = change.retentionDays;
  if (change.redaction) {
    const current = await getRedactionConfig(db, { projectId });
    if (!current) return null;
    const { detectors, ...lists } = change.redaction;
    const merged = RedactionConfig.parse({ ...current, ...lists, detectors: { ...current.detectors, ...detectors } });
    set.redaction = JSON.stringify(merged);
  }
  const row = await db.update(projects).set(set).where(eq(projects.id, projectId)).returning().get();
  return row ? detail(row) : null;
}
