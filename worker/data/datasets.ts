import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { datasets, datasetTags, datasetVersions } from '../db/datasets';
import { Conflict } from '../lib/errors';
import { iso } from '../lib/time';
import type { CreateDatasetBody, DatasetResponse, RecordSchema, UpdateDatasetBody, VersionResponse } from '../schemas/datasets';

/** Datasets, their versions and tags. Every function is scoped by project; a miss is null. */

export type DatasetRow = typeof datasets.$inferSelect;

function toResponse(d: DatasetRow, tags: { tag: string; version: number }[]): DatasetResponse {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    recordSchema: d.recordSchema ? (JSON.parse(d.recordSchema) as RecordSchema) : null,
    version: d.version,
    recordCount: d.recordCount,
    tags,
    createdBy: d.createdBy,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}

const nameTaken = (name: string) => new Conflict(`A dataset named “${name}” already exists in this project.`);
/** Drizzle wraps the D1 error: the constraint is named in the cause. */
const isUniqueViolation = (err: unknown) => /UNIQUE constraint failed/.test(`${(err as Error)?.message} ${(err as { cause?: Error })?.cause?.message}`);

/** The project's datasets, most recently changed first, with their tags. */
export async function listDatasets(db: Db, { projectId }: { projectId: string }): Promise<DatasetResponse[]> {
  const [rows, tags] = await Promise.all([
    db.select().from(datasets).where(eq(datasets.projectId, projectId)).orderBy(desc(datasets.updatedAt), asc(datasets.id)).all(),
    db.select().from(datasetTags).where(eq(datasetTags.projectId, projectId)).orderBy(asc(datasetTags.tag)).all(),
  ]);
  return rows.map((d) => toResponse(d, tags.filter((t) => t.datasetId === d.id).map((t) => ({ tag: t.tag, version: t.version }))));
}

/** The dataset's row (settings, newest version, record count), or null. */
export async function getDatasetRow(db: Db, { projectId, datasetId }: { projectId: string; datasetId: string }): Promise<DatasetRow | null> {
  return (await db.select().from(datasets).where(and(eq(datasets.projectId, projectId), eq(datasets.id, datasetId))).get()) ?? null;
}

/** The dataset's tags, by name. */
export async function listTags(db: Db, { projectId, datasetId }: { projectId: string; datasetId: string }): Promise<{ tag: string; version: number }[]> {
  return db
    .select({ tag: datasetTags.tag, version: datasetTags.version })
    .from(datasetTags)
    .where(and(eq(datasetTags.projectId, projectId), eq(datasetTags.datasetId, datasetId)))
    .orderBy(asc(datasetTags.tag))
    .all();
}

/** The dataset as the API returns it, with its tags; null on a miss. */
export async function getDataset(db: Db, scope: { projectId: string; datasetId: string }): Promise<DatasetResponse | null> {
  const [row, tags] = await Promise.all([getDatasetRow(db, scope), listTags(db, scope)]);
  return row ? toResponse(row, tags) : null;
}

/** A new, empty dataset (version 0); 409 when the project has one of that name. */
export async function createDataset(db: Db, { projectId, input, createdBy }: { projectId: string; input: CreateDatasetBody; createdBy: string }): Promise<DatasetResponse> {
  const now = Date.now();
  const row: DatasetRow = {
    id: crypto.randomUUID(),
    projectId,
    name: input.name,
    description: input.description,
    recordSchema: input.recordSchema ? JSON.stringify(input.recordSchema) : null,
    version: 0,
    recordCount: 0,
    createdBy,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.insert(datasets).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
  return toResponse(row, []);
}

/** Renames, re-describes or changes the record schema (which applies to changes from now on). */
export async function updateDataset(db: Db, { projectId, datasetId, input }: { projectId: string; datasetId: string; input: UpdateDatasetBody }): Promise<DatasetResponse | null> {
  const set: Partial<DatasetRow> = { updatedAt: Date.now() };
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.recordSchema !== undefined) set.recordSchema = input.recordSchema ? JSON.stringify(input.recordSchema) : null;
  try {
    const updated = await db.update(datasets).set(set).where(and(eq(datasets.projectId, projectId), eq(datasets.id, datasetId))).returning({ id: datasets.id });
    if (!updated.length) return null;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name ?? '');
    throw err;
  }
  return getDataset(db, { projectId, datasetId });
}

/** Every version, newest first, with its tags. */
export async function listVersions(db: Db, scope: { projectId: string; datasetId: string }): Promise<VersionResponse[]> {
  const [rows, tags] = await Promise.all([
    db
      .select()
      .from(datasetVersions)
      .where(and(eq(datasetVersions.projectId, scope.projectId), eq(datasetVersions.datasetId, scope.datasetId)))
      .orderBy(desc(datasetVersions.version))
      .all(),
    listTags(db, scope),
  ]);
  return rows.map((v) => ({
    version: v.version,
    added: v.added,
    removed: v.removed,
    edited: v.edited,
    recordCount: v.recordCount,
    summary: v.summary,
    tags: tags.filter((t) => t.version === v.version).map((t) => t.tag),
    createdBy: v.createdBy,
    createdAt: iso(v.createdAt),
  }));
}

/** Points `tag` at `version` (creating or moving it). */
export async function putTag(db: Db, t: { projectId: string; datasetId: string; tag: string; version: number; createdBy: string }): Promise<void> {
  await db
    .insert(datasetTags)
    .values({ ...t, createdAt: Date.now() })
    .onConflictDoUpdate({ target: [datasetTags.datasetId, datasetTags.tag], set: { version: t.version, createdBy: t.createdBy, createdAt: Date.now() } });
}

/** False when the dataset has no such tag. */
export async function deleteTag(db: Db, { projectId, datasetId, tag }: { projectId: string; datasetId: string; tag: string }): Promise<boolean> {
  const gone = await db
    .delete(datasetTags)
    .where(and(eq(datasetTags.projectId, projectId), eq(datasetTags.datasetId, datasetId), eq(datasetTags.tag, tag)))
    .returning({ tag: datasetTags.tag });
  return gone.length > 0;
}

/** Deletes the dataset with its records, versions, tags and export jobs (one transaction); false on a miss. */
export async function deleteDataset(d1: D1Database, { projectId, datasetId }: { projectId: string; datasetId: string }): Promise<boolean> {
  const own = await d1.prepare('SELECT 1 FROM datasets WHERE project_id = ? AND id = ?').bind(projectId, datasetId).first();
  if (!own) return false;
  await d1.batch(
    ['dataset_records', 'dataset_versions', 'dataset_tags', 'dataset_exports'].map((table) =>
      d1.prepare(`DELETE FROM ${table} WHERE dataset_id = ? AND project_id = ?`).bind(datasetId, projectId),
    ).concat(d1.prepare('DELETE FROM datasets WHERE id = ? AND project_id = ?').bind(datasetId, projectId)),
  );
  return true;
}
