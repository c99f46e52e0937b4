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

/**
 * The effective label of each (trace, field) as the insights read it, kept current by every write of
 * annotations and adjudications (worker/insights/materialize-sql.ts holds the rule, mirroring
 * `resolveLabels`). One row per answer kind: a field whose type changed keeps a row per type, and a
 * query reads the kind of the newest schema version answered. `scope` is '' for every queue, else the
 * queue id; `field` '' marks a trace reviewed in the scope (`answers` counts its reviews).
 */
export const traceLabels = sqliteTable(
  'trace_labels',
  {
    projectId: text('project_id').notNull(),
    scope: text('scope').notNull(),
    field: text('field').notNull(),
    /** pass_fail | boolean | numeric | text | categorical | categorical-multi; '' for answers under versions that lack the field. */
    kind: text('kind').notNull(),
    traceId: text('trace_id').notNull(),
    /** JSON; null for a tie nobody adjudicated (and for kind ''). */
    value: text('value'),
    source: text('source', { enum: ['adjudicated', 'majority', 'single'] }),
    reviewers: integer('reviewers').notNull().default(0),
    /** Annotations and adjudications of this kind that answered the field. */
    answers: integer('answers').notNull(),
    /** The newest schema version among those answers, as `created_at:version:schema_id` (zero-padded, so it sorts). */
    newest: text('newest'),
    /** A queue the label comes from: the first adjudication's when no reviewer answered. */
    queueId: text('queue_id'),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.scope, t.field, t.kind, t.traceId] }), index('trace_labels_trace').on(t.projectId, t.traceId)],
);

/**
 * A project's trace_labels build: `version` is the rule version that last built all of them (0: none), so
 * a project without a row, or built by an older rule, is rebuilt. A rebuild goes page by page in trace id
 * order and can span requests: `building` is the rule version under way, `cursor` the last trace id done.
 */
export const traceLabelsState = sqliteTable('trace_labels_state', {
  projectId: text('project_id').primaryKey(),
  version: integer('version').notNull().default(0),
  building: integer('building'),
  cursor: text('cursor'),
  builtAt: integer('built_at'),
});
