import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Human review: label schemas (versioned), annotation queues, and the D1 copy of each queue's items
 * and annotations. The queue's Durable Object is the authority on items and reviews; it writes the
 * two copies here through its outbox, so analytics and export read D1. Times are epoch ms.
 */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const labelSchemas = sqliteTable(
  'label_schemas',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** The newest version; versions are 1, 2, 3, … */
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('label_schemas_project').on(t.projectId, t.createdAt)],
);

/** Versions are immutable: an annotation names the one it answered, and it stays readable. */
export const labelSchemaVersions = sqliteTable(
  'label_schema_versions',
  {
    schemaId: text('schema_id').notNull(),
    version: integer('version').notNull(),
    projectId: text('project_id').notNull(),
    /** JSON array of LabelField. */
    fields: text('fields').notNull(),
    /** User id, `key:<id>` for an API key, or null for the project's starter schema. */
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.schemaId, t.version] })],
);

export const annotationQueues = sqliteTable(
  'annotation_queues',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Markdown shown to reviewers. */
    guidelines: text('guidelines').notNull().default(''),
    schemaId: text('schema_id').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    reviewersPerItem: integer('reviewers_per_item').notNull().default(1),
    leaseSeconds: integer('lease_seconds').notNull(),
    accessMode: text('access_mode', { enum: ['project', 'assigned'] }).notNull().default('project'),
    /** JSON array of user ids; used when access_mode = 'assigned'. */
    assignedReviewers: text('assigned_reviewers').notNull().default('[]'),
    blind: integer('blind').notNull().default(0),
    status: text('status', { enum: ['active', 'archived'] }).notNull().default('active'),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    archivedAt: integer('archived_at'),
  },
  (t) => [index('annotation_queues_project').on(t.projectId, t.status, t.createdAt)],
);

/** The D1 copy of a queue's items (the trace is the item); `rev` orders the DO's writes. */
export const queueItems = sqliteTable(
  'queue_items',
  {
    queueId: text('queue_id').notNull(),
    traceId: text('trace_id').notNull(),
    projectId: text('project_id').notNull(),
    status: text('status', { enum: ['open', 'done', 'removed'] }).notNull(),
    reviewsDone: integer('reviews_done').notNull().default(0),
    /** The automation that added it, or null when added through the API. */
    ruleId: text('rule_id'),
    ruleVersion: integer('rule_version'),
    addedAt: integer('added_at').notNull(),
    removedAt: integer('removed_at'),
    rev: integer('rev').notNull(),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.traceId] }), index('queue_items_trace').on(t.projectId, t.traceId)],
);

/** One row per (queue, item, reviewer): the submitted labels; an edit bumps `revision`. */
export const annotations = sqliteTable(
  'annotations',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    queueId: text('queue_id').notNull(),
    /** The queue item is the trace: one item per trace and queue. */
    traceId: text('trace_id').notNull(),
    reviewerId: text('reviewer_id').notNull(),
    reviewerName: text('reviewer_name').notNull().default(''),
    schemaId: text('schema_id').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    /** JSON object keyed by field key. */
    values: text('values').notNull(),
    notes: text('notes'),
    revision: integer('revision').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('annotations_review').on(t.queueId, t.traceId, t.reviewerId),
    index('annotations_export').on(t.queueId, t.createdAt, t.id),
    index('annotations_trace').on(t.projectId, t.traceId),
  ],
);

/**
 * An admin's final label for a queue item where reviewers disagree. `values` holds the adjudicated
 * fields only; analyses use it instead of the reviewers' majority for those fields.
 */
export const adjudications = sqliteTable(
  'adjudications',
  {
    queueId: text('queue_id').notNull(),
    traceId: text('trace_id').notNull(),
    projectId: text('project_id').notNull(),
    schemaId: text('schema_id').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    /** JSON object keyed by field key. */
    values: text('values').notNull(),
    notes: text('notes'),
    /** User id, or `key:<id>` for an API key. */
    adjudicatedBy: text('adjudicated_by').notNull(),
    adjudicatedByName: text('adjudicated_by_name').notNull().default(''),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.queueId, t.traceId] }), index('adjudications_trace').on(t.projectId, t.traceId)],
);
