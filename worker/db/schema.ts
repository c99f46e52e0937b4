import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are epoch milliseconds; JSON columns hold JSON text. */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull().default(now),
  /** Days to keep traces and their payloads; null keeps them forever. */
  retentionDays: integer('retention_days'),
  /** JSON RedactionConfig applied at ingest before anything is stored. */
  redaction: text('redaction').notNull().default('{}'),
  /**
   * The D1 binding that holds the project's data (`DB_SHARD_<n>`), see worker/data/shards.ts. 'DB' is
   * the control database itself: projects made before shards existed keep their rows where they are.
   */
  shard: text('shard').notNull().default('DB'),
});

/**
 * The data shards this installation has used: registered from the `DB_SHARD_<n>` bindings on first use.
 * `location` is a placement hint ('default', or 'eu' for a database in D1's EU jurisdiction) so that
 * per-project data residency can pick a shard later; `accepting_new` takes a shard out of placement
 * (full, or being drained) without touching the projects already on it.
 */
export const shards = sqliteTable('shards', {
  binding: text('binding').primaryKey(),
  location: text('location').notNull().default('default'),
  acceptingNew: integer('accepting_new', { mode: 'boolean' }).notNull().default(true),
  createdAt: integer('created_at').notNull().default(now),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`; null until the user sets a password. */
    passwordHash: text('password_hash'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

export const memberships = sqliteTable(
  'memberships',
  {
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'reviewer', 'viewer'] }).notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('memberships_user').on(t.userId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the session token; the token itself lives only in the cookie. */
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    lastSeenAt: integer('last_seen_at').notNull().default(now),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    /** `email:<address>` or `ip:<address>` */
    subject: text('subject').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('login_attempts_subject_at').on(t.subject, t.at)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** First characters of the key, shown in lists so people can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** SHA-256 (hex) of the full key: keys are 256-bit random, so a fast hash is enough. */
    keyHash: text('key_hash').notNull(),
    /** JSON array of `ingest` | `read` | `admin`. */
    scopes: text('scopes').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.keyHash), index('api_keys_project').on(t.projectId)],
);

/**
 * An invitation to join a project. Only the SHA-256 of the one-time token is stored; the token
 * itself is shown once, inside the invite link.
 */
export const invites = sqliteTable(
  'invites',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'reviewer', 'viewer'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The admin who invited; null when an API key did. */
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull().default(now),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    usedBy: text('used_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [uniqueIndex('invites_token').on(t.tokenHash), index('invites_project_email').on(t.projectId, t.email)],
);

/** A one-time password reset link; only the SHA-256 of its token is stored (migration 0020). */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    /** The admin who issued it; null for the operator's CLI. */
    issuedBy: text('issued_by'),
    createdAt: integer('created_at').notNull().default(now),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('password_resets_user').on(t.userId)],
);

/** One row per trace: what the explorer lists and filters, merged from its spans at ingest (trace-merge.ts). */
export const traces = sqliteTable(
  'traces',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    name: text('name').notNull().default(''),
    service: text('service'),
    environment: text('environment'),
    model: text('model'),
    /** JSON array of every model the trace's spans used. */
    models: text('models').notNull().default('[]'),
    promptVersion: text('prompt_version'),
    status: text('status', { enum: ['unset', 'ok', 'error'] }).notNull().default('unset'),
    errorCount: integer('error_count').notNull().default(0),
    retryCount: integer('retry_count').notNull().default(0),
    llmCallCount: integer('llm_call_count').notNull().default(0),
    spanCount: integer('span_count').notNull().default(0),
    startMs: integer('start_ms').notNull(),
    endMs: integer('end_ms').notNull(),
    durationMs: integer('duration_ms').notNull(),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    totalTokens: integer('total_tokens').notNull().default(0),
    costUsd: real('cost_usd'),
    sessionId: text('session_id'),
    userId: text('user_id'),
    /** JSON array of tags. */
    tags: text('tags').notNull().default('[]'),
    inputPreview: text('input_preview'),
    outputPreview: text('output_preview'),
    updatedAt: integer('updated_at').notNull().default(now),
    // Late signals folded into the trace row (see worker/data/signal-sql.ts), so filters on them
    // are index range scans instead of joins over every trace.
    thumbsUp: integer('thumbs_up').notNull().default(0),
    thumbsDown: integer('thumbs_down').notNull().default(0),
    positiveFeedback: integer('positive_feedback').notNull().default(0),
    neutralFeedback: integer('neutral_feedback').notNull().default(0),
    negativeFeedback: integer('negative_feedback').notNull().default(0),
    /** Lowest and highest rating, normalized to 0..1. */
    minRating: real('min_rating'),
    maxRating: real('max_rating'),
    feedbackCount: integer('feedback_count').notNull().default(0),
    evalCount: integer('eval_count').notNull().default(0),
    /** Values redacted at ingest across the trace's spans. */
    redactions: integer('redactions').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.traceId] }),
    index('traces_project_start').on(t.projectId, t.startMs, t.traceId),
    index('traces_duration').on(t.projectId, t.durationMs, t.traceId),
    index('traces_tokens').on(t.projectId, t.totalTokens, t.traceId),
    index('traces_cost').on(t.projectId, t.costUsd, t.traceId).where(sql`cost_usd IS NOT NULL`),
    // Equality filters end with the time sort key (start, trace id), so their pages are range scans.
    index('traces_session').on(t.projectId, t.sessionId, t.startMs, t.traceId),
    index('traces_user').on(t.projectId, t.userId, t.startMs, t.traceId),
    // Sparse conditions get partial indexes in time order: their pages never walk the whole table.
    index('traces_errors').on(t.projectId, t.startMs, t.traceId).where(sql`error_count > 0`),
    index('traces_retries').on(t.projectId, t.startMs, t.traceId).where(sql`retry_count > 0`),
    index('traces_thumbs_down').on(t.projectId, t.startMs, t.traceId).where(sql`thumbs_down > 0`),
    index('traces_negative').on(t.projectId, t.startMs, t.traceId).where(sql`negative_feedback > 0`),
    index('traces_feedback').on(t.projectId, t.startMs, t.traceId).where(sql`feedback_count > 0`),
  ],
);

/**
 * Per trace: the ids of its spans (8-byte blobs back to back, for deduplication), the merge state of
 * its aggregates (worker/data/trace-merge.ts; NULL for traces stored before 0013, merged again
 * from R2 on their next span) and the R2 segments holding its spans (JSON [[key, offset, length]]).
 * WITHOUT ROWID in the migration: the primary key is the table.
 */
export const traceSpans = sqliteTable(
  'trace_spans',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    /** Random version: a write applies only where the row still has the version it read. */
    ver: integer('ver').notNull(),
    spanIds: blob('span_ids').notNull(),
    state: text('state'),
    segments: text('segments').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.traceId] })],
);

/** How many traces point into each R2 object; retention deletes an object when none does. */
export const payloadObjects = sqliteTable(
  'payload_objects',
  {
    projectId: text('project_id').notNull(),
    key: text('key').notNull(),
    traces: integer('traces').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.key] }), index('payload_objects_free').on(t.projectId).where(sql`traces <= 0`)],
);

/** Evaluation results, from the API or found in telemetry; `span_id` and `evaluator_version` are '' when absent. */
export const evaluations = sqliteTable(
  'evaluations',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    spanId: text('span_id').notNull().default(''),
    name: text('name').notNull(),
    evaluatorVersion: text('evaluator_version').notNull().default(''),
    evaluatorKind: text('evaluator_kind', { enum: ['llm', 'code', 'human'] }).notNull(),
    score: real('score'),
    label: text('label'),
    explanation: text('explanation'),
    source: text('source', { enum: ['api', 'otel'] }).notNull(),
    /** The sender's idempotency id. */
    clientId: text('client_id'),
    timestampMs: integer('timestamp_ms').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('evaluations_natural').on(t.projectId, t.traceId, t.spanId, t.name, t.evaluatorVersion),
    uniqueIndex('evaluations_client').on(t.projectId, t.clientId).where(sql`client_id IS NOT NULL`),
    // Retention finds expired signals of traces that never arrived by time (worker/ops/retention-sql.ts).
    index('evaluations_time').on(t.projectId, t.timestampMs),
  ],
);

/** End-user feedback; `normalized` is 1/0 for thumbs up/down and rating ÷ scale for ratings. */
export const feedback = sqliteTable(
  'feedback',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    kind: text('kind', { enum: ['thumbs', 'rating'] }).notNull(),
    thumbs: text('thumbs', { enum: ['up', 'down'] }),
    rating: real('rating'),
    scale: real('scale'),
    normalized: real('normalized').notNull(),
    comment: text('comment'),
    sentiment: text('sentiment', { enum: ['positive', 'neutral', 'negative'] }),
    endUserId: text('end_user_id'),
    clientId: text('client_id'),
    timestampMs: integer('timestamp_ms').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    index('feedback_trace').on(t.projectId, t.traceId),
    uniqueIndex('feedback_client').on(t.projectId, t.clientId).where(sql`client_id IS NOT NULL`),
    index('feedback_time').on(t.projectId, t.timestampMs),
  ],
);

/**
 * One row per (trace, evaluator): the lowest score and its label, with the trace's start copied in
 * (null until the trace arrives), so "score < x in the last day" is one index range scan.
 */
export const traceEvals = sqliteTable(
  'trace_evals',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    name: text('name').notNull(),
    score: real('score'),
    label: text('label'),
    startMs: integer('start_ms'),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.traceId, t.name] }),
    index('trace_evals_time').on(t.projectId, t.name, t.startMs, t.traceId),
    index('trace_evals_score').on(t.projectId, t.name, t.score, t.traceId),
  ],
);
