import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are epoch milliseconds; JSON columns hold JSON text. */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
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

/** One row per trace: aggregates recomputed from all of its spans on every ingest. */
export const traces = sqliteTable(
  'traces',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    rootSpanId: text('root_span_id'),
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
    firstSeenAt: integer('first_seen_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.traceId] }),
    index('traces_project_start').on(t.projectId, t.startMs, t.traceId),
  ],
);

/** Searchable columns of each span; the full span (attributes, events, links) lives in R2. */
export const spans = sqliteTable(
  'spans',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    spanId: text('span_id').notNull(),
    parentSpanId: text('parent_span_id'),
    name: text('name').notNull(),
    /** Sieve's span kind: llm, tool, chain, agent, retriever, embedding, … or span. */
    kind: text('kind').notNull(),
    startMs: integer('start_ms').notNull(),
    endMs: integer('end_ms').notNull(),
    status: text('status', { enum: ['unset', 'ok', 'error'] }).notNull(),
    service: text('service'),
    environment: text('environment'),
    model: text('model'),
    provider: text('provider'),
    promptVersion: text('prompt_version'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    totalTokens: integer('total_tokens'),
    costUsd: real('cost_usd'),
    sessionId: text('session_id'),
    userId: text('user_id'),
    tags: text('tags').notNull().default('[]'),
    isRetry: integer('is_retry').notNull().default(0),
    inputPreview: text('input_preview'),
    outputPreview: text('output_preview'),
    /** R2 object holding this span's JSON line, and the byte range of that line. */
    payloadKey: text('payload_key').notNull(),
    payloadOffset: integer('payload_offset').notNull(),
    payloadLength: integer('payload_length').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.traceId, t.spanId] })],
);
