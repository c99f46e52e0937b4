import { and, asc, desc, eq } from 'drizzle-orm';
import { getDb, type Db } from '../db/client';
import { labelSchemas, labelSchemaVersions } from '../db/review';
import { iso } from '../lib/time';
import { DEFAULT_SCHEMA, LabelFields, type LabelField, type LabelSchemaResponse, type LabelSchemaVersion } from '../schemas/label-schemas';

/** The starter schema's id is derived from the project, so creating it is idempotent and never repeats after an edit. */
export const defaultSchemaId = (projectId: string): string => `starter-${projectId}`;

type SchemaRow = typeof labelSchemas.$inferSelect;

function toResponse(s: SchemaRow, fields: LabelField[]): LabelSchemaResponse {
  return { id: s.id, name: s.name, description: s.description, version: s.version, fields, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) };
}

/** Creates the project's starter schema unless it exists (edited or not). */
export async function ensureDefaultSchema(db: Db, { projectId }: { projectId: string }): Promise<void> {
  const id = defaultSchemaId(projectId);
  const fields = JSON.stringify(LabelFields.parse(DEFAULT_SCHEMA.fields));
  await db.batch([
    db.insert(labelSchemas).values({ id, projectId, name: DEFAULT_SCHEMA.name, description: DEFAULT_SCHEMA.description, version: 1 }).onConflictDoNothing(),
    db.insert(labelSchemaVersions).values({ schemaId: id, version: 1, projectId, fields }).onConflictDoNothing(),
  ]);
}

/** Every schema of the project with its newest fields, oldest first. */
export async function listLabelSchemas(db: Db, { projectId }: { projectId: string }): Promise<LabelSchemaResponse[]> {
  const rows = await db
    .select({ schema: labelSchemas, fields: labelSchemaVersions.fields })
    .from(labelSchemas)
    .innerJoin(labelSchemaVersions, and(eq(labelSchemaVersions.schemaId, labelSchemas.id), eq(labelSchemaVersions.version, labelSchemas.version)))
    .where(eq(labelSchemas.projectId, projectId))
    .orderBy(asc(labelSchemas.createdAt), asc(labelSchemas.id))
    .all();
  return rows.map((r) => toResponse(r.schema, JSON.parse(r.fields) as LabelField[]));
}

/** One schema with all its versions, newest first. */
export async function getLabelSchema(db: Db, { projectId, schemaId }: { projectId: string; schemaId: string }): Promise<LabelSchemaResponse | null> {
  const schema = await db.select().from(labelSchemas).where(and(eq(labelSchemas.projectId, projectId), eq(labelSchemas.id, schemaId))).get();
  if (!schema) return null;
  const rows = await db
    .select()
    .from(labelSchemaVersions)
    .where(and(eq(labelSchemaVersions.projectId, projectId), eq(labelSchemaVersions.schemaId, schemaId)))
    .orderBy(desc(labelSchemaVersions.version))
    .all();
  const versions: LabelSchemaVersion[] = rows.map((v) => ({ version: v.version, fields: JSON.parse(v.fields) as LabelField[], createdAt: iso(v.createdAt), createdBy: v.createdBy }));
  return { ...toResponse(schema, versions.find((v) => v.version === schema.version)?.fields ?? []), versions };
}

/** The fields of one version, or null when the project has no such schema or version. */
export async function getSchemaVersion(db: Db, { projectId, schemaId, version }: { projectId: string; schemaId: string; version: number }): Promise<LabelField[] | null> {
  const row = await db
    .select({ fields: labelSchemaVersions.fields })
    .from(labelSchemaVersions)
    .where(and(eq(labelSchemaVersions.projectId, projectId), eq(labelSchemaVersions.schemaId, schemaId), eq(labelSchemaVersions.version, version)))
    .get();
  return row ? (JSON.parse(row.fields) as LabelField[]) : null;
}

export async function createLabelSchema(
  db: Db,
  input: { projectId: string; name: string; description: string; fields: LabelField[]; createdBy: string | null },
): Promise<LabelSchemaResponse> {
  const id = crypto.randomUUID();
  const now = Date.now();
  await db.batch([
    db.insert(labelSchemas).values({ id, projectId: input.projectId, name: input.name, description: input.description, version: 1, createdAt: now, updatedAt: now }),
    db.insert(labelSchemaVersions).values({ schemaId: id, version: 1, projectId: input.projectId, fields: JSON.stringify(input.fields), createdBy: input.createdBy, createdAt: now }),
  ]);
  return { id, name: input.name, description: input.description, version: 1, fields: input.fields, createdAt: iso(now), updatedAt: iso(now) };
}

/**
 * Renames or re-describes a schema and, when `fields` differ from the newest version, adds a version.
 * The version number is taken inside the statement, so two concurrent edits get two versions.
 */
export async function updateLabelSchema(
  d1: D1Database,
  input: { projectId: string; schemaId: string; name?: string; description?: string; fields?: LabelField[]; createdBy: string | null },
): Promise<LabelSchemaResponse | null> {
  const db = getDb(d1);
  const current = await getLabelSchema(db, input);
  if (!current) return null;
  const now = Date.now();
  const changed = input.fields !== undefined && JSON.stringify(input.fields) !== JSON.stringify(current.fields);
  const where = and(eq(labelSchemas.projectId, input.projectId), eq(labelSchemas.id, input.schemaId));
  const meta = { name: input.name ?? current.name, description: input.description ?? current.description, updatedAt: now };
  if (!changed) {
    await db.update(labelSchemas).set(meta).where(where);
  } else {
    // Raw D1: the insert reads the version number the update just took, in the same transaction.
    await d1.batch([
      d1.prepare(`UPDATE label_schemas SET name = ?, description = ?, updated_at = ?, version = version + 1 WHERE project_id = ? AND id = ?`)
        .bind(meta.name, meta.description, now, input.projectId, input.schemaId),
      d1.prepare(
        `INSERT INTO label_schema_versions (schema_id, version, project_id, fields, created_by, created_at)
         SELECT id, version, project_id, ?, ?, ? FROM label_schemas WHERE project_id = ? AND id = ?`,
      ).bind(JSON.stringify(input.fields), input.createdBy, now, input.projectId, input.schemaId),
    ]);
  }
  return getLabelSchema(db, input);
}
