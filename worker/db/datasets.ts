import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Datasets, versioned: every change bumps `datasets.version`; a record row carries the version that
 * added it and the one that removed it, so version N is `added_version <= N AND (removed_version IS
 * NULL OR removed_version > N)` and stays readable exactly after later edits. An edit removes the
 * old row and adds a new one with the same `record_id`. Times are epoch ms; JSON columns hold JSON text.
 */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const datasets = sqliteTable(
  'datasets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** JSON RecordSchema, or null: what input, expected output and metadata hold. */
    recordSchema: text('record_schema'),
    /** The newest version; 0 until the first change. */
    version: integer('version').notNull().default(0),
    /** Records in the newest version. */
    recordCount: integer('record_count').notNull().default(0),
    /** User id, `key:<id>` or `rule:<id>`. */
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [uniqueIndex('datasets_project_name').on(t.projectId, t.name), index('datasets_project').on(t.projectId, t.updatedAt)],
);

/** One row per version: what the change did, counted when it was made. */
export const datasetVersions = sqliteTable(
  'dataset_versions',
  {
    datasetId: text('dataset_id').notNull(),
    version: integer('version').notNull(),
    projectId: text('project_id').notNull(),
    /** Records new in this version, records removed, records replaced by an edit. */
    added: integer('added').notNull(),
    removed: integer('removed').notNull(),
    edited: integer('edited').notNull(),
    /** Records in this version. */
    recordCount: integer('record_count').notNull(),
    summary: text('summary').notNull().default(''),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.version] })],
);

/** A name for a version (`golden-2026-11`); unique per dataset, may be moved. */
export const datasetTags = sqliteTable(
  'dataset_tags',
  {
    datasetId: text('dataset_id').notNull(),
    tag: text('tag').notNull(),
    projectId: text('project_id').notNull(),
    version: integer('version').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.tag] })],
);

export const datasetRecords = sqliteTable(
  'dataset_records',
  {
    /** Insertion order: exports and lists page on it by keyset. */
    seq: integer('seq').primaryKey(),
    projectId: text('project_id').notNull(),
    datasetId: text('dataset_id').notNull(),
    /** Stable across edits; the row is one version range of the record. */
    recordId: text('record_id').notNull(),
    addedVersion: integer('added_version').notNull(),
    removedVersion: integer('removed_version'),
    input: text('input').notNull(),
    output: text('output'),
    expectedOutput: text('expected_output'),
    metadata: text('metadata').notNull().default('{}'),
    sourceKind: text('source_kind', { enum: ['trace', 'import', 'api'] }).notNull(),
    sourceTraceId: text('source_trace_id'),
    sourceSpanId: text('source_span_id'),
    sourceQueueId: text('source_queue_id'),
    sourceAnnotationId: text('source_annotation_id'),
    /** The automation that added it. */
    sourceRuleId: text('source_rule_id'),
    sourceRuleVersion: integer('source_rule_version'),
    addedBy: text('added_by'),
    createdAt: integer('created_at').notNull(),
    /** Bytes of the JSON columns, so export pages are bounded by size rather than by count. */
    sizeBytes: integer('size_bytes').notNull(),
  },
  (t) => [
    // Covers the page-selection step of an export (visibility and size) without reading the rows.
    index('dataset_records_scan').on(t.projectId, t.datasetId, t.seq, t.addedVersion, t.removedVersion, t.sizeBytes),
    index('dataset_records_added').on(t.datasetId, t.addedVersion),
    index('dataset_records_removed').on(t.datasetId, t.removedVersion).where(sql`removed_version IS NOT NULL`),
    index('dataset_records_record').on(t.datasetId, t.recordId),
    index('dataset_records_trace').on(t.datasetId, t.sourceTraceId).where(sql`source_trace_id IS NOT NULL`),
  ],
);

/** An export written to R2 (multipart), resumable: progress is saved after every uploaded part. */
export const datasetExports = sqliteTable(
  'dataset_exports',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    datasetId: text('dataset_id').notNull(),
    version: integer('version').notNull(),
    format: text('format', { enum: ['jsonl', 'csv', 'openai'] }).notNull(),
    status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
    r2Key: text('r2_key').notNull(),
    uploadId: text('upload_id'),
    /** JSON array of { partNumber, etag }. */
    parts: text('parts').notNull().default('[]'),
    /** Where to resume: after this record, skipping `skip_bytes` of what follows (already uploaded). */
    afterSeq: integer('after_seq').notNull().default(0),
    skipBytes: integer('skip_bytes').notNull().default(0),
    totalRecords: integer('total_records').notNull(),
    recordsWritten: integer('records_written').notNull().default(0),
    bytesWritten: integer('bytes_written').notNull().default(0),
    /** Largest page held in memory while writing (bytes). */
    peakChunkBytes: integer('peak_chunk_bytes').notNull().default(0),
    error: text('error'),
    /** A worker holds the job until then; a stale lease lets the next status poll resume it. */
    leaseUntil: integer('lease_until').notNull().default(0),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    completedAt: integer('completed_at'),
  },
  (t) => [index('dataset_exports_dataset').on(t.datasetId, t.createdAt)],
);
