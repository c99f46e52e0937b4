import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

/** Automation rules; `definition` is the JSON of condition, sampling, actions and quota at `version`. */
export const automationRules = sqliteTable(
  'automation_rules',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    name: text('name').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    version: integer('version').notNull(),
    definition: text('definition').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    deletedAt: integer('deleted_at'),
    lastRoutedTraceId: text('last_routed_trace_id'),
    lastRoutedAt: integer('last_routed_at'),
  },
  (t) => [index('automation_rules_project').on(t.projectId, t.enabled)],
);

/** Every version of every rule, so a routed item's `ruleVersion` can always be looked up. */
export const automationRuleVersions = sqliteTable(
  'automation_rule_versions',
  {
    ruleId: text('rule_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    definition: text('definition').notNull(),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.version] })],
);

/**
 * The match log: one row per (rule, trace) once a rule has decided about a trace (routed, not
 * sampled, over quota). It makes routing at-most-once: a decided pair is never evaluated again.
 */
export const automationMatches = sqliteTable(
  'automation_matches',
  {
    ruleId: text('rule_id').notNull(),
    traceId: text('trace_id').notNull(),
    projectId: text('project_id').notNull(),
    ruleVersion: integer('rule_version').notNull(),
    outcome: text('outcome', { enum: ['routed', 'not_sampled', 'over_quota'] }).notNull(),
    /** Index of the sampling stratum that applied; -1 for `otherwise`, null without strata. */
    stratum: integer('stratum'),
    /** 'live' or the backfill job id that decided it. */
    via: text('via').notNull(),
    decidedAt: integer('decided_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ruleId, t.traceId] }),
    index('automation_matches_trace').on(t.projectId, t.traceId),
    index('automation_matches_rule_time').on(t.ruleId, t.decidedAt),
  ],
);

/** Per-rule counters in hourly buckets: the stats chart, and the quota's running count. */
export const automationStats = sqliteTable(
  'automation_stats',
  {
    ruleId: text('rule_id').notNull(),
    bucketStart: integer('bucket_start').notNull(),
    checked: integer('checked').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    sampled: integer('sampled').notNull().default(0),
    routed: integer('routed').notNull().default(0),
    overQuota: integer('over_quota').notNull().default(0),
    errors: integer('errors').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.bucketStart] })],
);

/** A backfill: a rule applied to a past time range, page by page, resumable from `cursor`. */
export const automationBackfills = sqliteTable(
  'automation_backfills',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    ruleId: text('rule_id').notNull(),
    fromMs: integer('from_ms').notNull(),
    toMs: integer('to_ms').notNull(),
    status: text('status', { enum: ['running', 'done', 'cancelled', 'failed'] }).notNull(),
    cursor: text('cursor'),
    scanned: integer('scanned').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    routed: integer('routed').notNull().default(0),
    error: text('error'),
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
  },
  (t) => [index('automation_backfills_rule').on(t.ruleId, t.createdAt)],
);
