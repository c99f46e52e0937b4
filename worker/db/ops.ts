import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Sieve watching itself: counters for the admin page, and messages the post-ingest queue gave up on. */

/** Counters in one-minute buckets (`bucket` is epoch ms at the minute); `project_id` is '' for system-wide ones. */
export const opsCounters = sqliteTable(
  'ops_counters',
  {
    metric: text('metric').notNull(),
    projectId: text('project_id').notNull(),
    bucket: integer('bucket').notNull(),
    value: integer('value').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.metric, t.projectId, t.bucket] }), index('ops_counters_project').on(t.projectId, t.bucket)],
);

/** Post-ingest messages that exhausted their retries, kept for inspection and replay. */
export const deadLetters = sqliteTable(
  'dead_letters',
  {
    id: text('id').primaryKey(),
    queue: text('queue').notNull(),
    /** The project the message names, when it names one. */
    projectId: text('project_id'),
    /** JSON message body. */
    body: text('body').notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('dead_letters_received').on(t.receivedAt), index('dead_letters_project').on(t.projectId, t.receivedAt)],
);
