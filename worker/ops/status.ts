import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { projectShardStatus } from '../data/shards';
import { getDb, type Db } from '../db/client';
import { automationRules, automationStats } from '../db/automations';
import { opsCounters } from '../db/ops';
import { ingestMode } from '../ingest/accept';
import type { AutomationErrorsView, IngestNumbers, IngestPoint, OpsRange, OpsStatusResponse } from '../schemas/ops';
import { counters, FLUSH_EVERY_MS, METRICS, MINUTE_MS, type Metric } from './counters';
import { latestDeadLetters } from './dead-letters';

/** One project's operational numbers for the operations page (`GET /api/v1/ops/status`). */

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const QUEUE_WINDOW_HOURS = 24;

/** The last hour minute by minute, or the last day in quarter hours (96 points rather than 1,440). */
const RANGES: Record<OpsRange, { bucketMs: number; points: number }> = {
  hour: { bucketMs: MINUTE_MS, points: 60 },
  day: { bucketMs: 15 * MINUTE_MS, points: 96 },
};

const INGEST_FIELDS: Record<keyof IngestNumbers, Metric> = {
  requests: METRICS.ingestRequests,
  failed: METRICS.ingestFailed,
  spansAccepted: METRICS.spansAccepted,
  spansRejected: METRICS.spansRejected,
  bytes: METRICS.ingestBytes,
};

const emptyNumbers = (): IngestNumbers => ({ requests: 0, failed: 0, spansAccepted: 0, spansRejected: 0, bytes: 0 });

/** Sums of `metrics` per `bucketMs` bucket since `from` (bucket start → metric → sum). */
async function sums(db: Db, projectId: string, metrics: Metric[], from: number, bucketMs: number): Promise<Map<number, Map<string, number>>> {
  // Inlined: D1 binds JS numbers as REAL, and `/` must be SQLite's integer division to floor.
  const size = sql.raw(String(Math.trunc(bucketMs)));
  const bucket = sql<number>`(${opsCounters.bucket} / ${size}) * ${size}`;
  const rows = await db
    .select({ metric: opsCounters.metric, bucket, value: sql<number>`sum(${opsCounters.value})` })
    .from(opsCounters)
    .where(and(eq(opsCounters.projectId, projectId), gte(opsCounters.bucket, from), inArray(opsCounters.metric, metrics)))
    .groupBy(opsCounters.metric, bucket)
    .all();
  const out = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const m = out.get(r.bucket) ?? new Map<string, number>();
    m.set(r.metric, Number(r.value));
    out.set(r.bucket, m);
  }
  return out;
}

async function ingestSeries(db: Db, projectId: string, range: OpsRange, now: number): Promise<{ series: IngestPoint[]; totals: IngestNumbers }> {
  const { bucketMs, points } = RANGES[range];
  const from = Math.floor(now / bucketMs) * bucketMs - (points - 1) * bucketMs;
  const byBucket = await sums(db, projectId, Object.values(INGEST_FIELDS), from, bucketMs);
  const totals = emptyNumbers();
  const series: IngestPoint[] = [];
  for (let i = 0; i < points; i++) {
    const start = from + i * bucketMs;
    const point = { bucket: new Date(start).toISOString(), ...emptyNumbers() };
    for (const [field, metric] of Object.entries(INGEST_FIELDS) as [keyof IngestNumbers, Metric][]) {
      point[field] = byBucket.get(start)?.get(metric) ?? 0;
      totals[field] += point[field];
    }
    series.push(point);
  }
  return { series, totals };
}

async function queueNumbers(db: Db, projectId: string, now: number): Promise<OpsStatusResponse['queue']> {
  const metrics = [METRICS.enqueued, METRICS.consumed, METRICS.retried, METRICS.deadLettered];
  const rows = await db
    .select({ metric: opsCounters.metric, value: sql<number>`sum(${opsCounters.value})` })
    .from(opsCounters)
    .where(and(eq(opsCounters.projectId, projectId), gte(opsCounters.bucket, now - QUEUE_WINDOW_HOURS * HOUR_MS), inArray(opsCounters.metric, metrics)))
    .groupBy(opsCounters.metric)
    .all();
  const sum = (metric: Metric) => Number(rows.find((r) => r.metric === metric)?.value ?? 0);
  const [enqueued, consumed, retried, deadLettered] = metrics.map(sum);
  return { windowHours: QUEUE_WINDOW_HOURS, enqueued, consumed, retried, deadLettered, backlogEstimate: Math.max(0, enqueued - consumed - deadLettered) };
}

/** Rules of the project with errors in the last 7 days (from `automation_stats`, which the automations write). */
async function automationErrors(db: Db, projectId: string, now: number): Promise<AutomationErrorsView[]> {
  const dayAgo = now - DAY_MS;
  const rows = await db
    .select({
      ruleId: automationRules.id,
      name: automationRules.name,
      enabled: automationRules.enabled,
      deletedAt: automationRules.deletedAt,
      errors24h: sql<number>`coalesce(sum(case when ${automationStats.bucketStart} >= ${Math.floor(dayAgo / HOUR_MS) * HOUR_MS} then ${automationStats.errors} end), 0)`,
      errors7d: sql<number>`sum(${automationStats.errors})`,
      lastErrorHour: sql<number | null>`max(case when ${automationStats.errors} > 0 then ${automationStats.bucketStart} end)`,
    })
    .from(automationStats)
    .innerJoin(automationRules, eq(automationRules.id, automationStats.ruleId))
    .where(and(eq(automationRules.projectId, projectId), gte(automationStats.bucketStart, now - 7 * DAY_MS)))
    .groupBy(automationRules.id)
    .having(sql`sum(${automationStats.errors}) > 0`)
    .orderBy(sql`sum(${automationStats.errors}) desc`)
    .all();
  return rows.map(({ deletedAt, lastErrorHour, ...r }) => ({
    ...r,
    errors24h: Number(r.errors24h),
    errors7d: Number(r.errors7d),
    deleted: deletedAt !== null,
    lastErrorHour: lastErrorHour === null ? null : new Date(Number(lastErrorHour)).toISOString(),
  }));
}

/**
 * Everything the operations page shows for a project, read from its shard. This isolate's pending counters are flushed
 * first, so at least its own latest counts are included; other isolates' last seconds may not be.
 */
export async function opsStatus(env: Env, shard: D1Database, projectId: string, range: OpsRange, now = Date.now()): Promise<OpsStatusResponse> {
  await counters.flush(env, now);
  const db = getDb(shard);
  const [ingest, queue, dead, automation, storage] = await Promise.all([
    ingestSeries(db, projectId, range, now),
    queueNumbers(db, projectId, now),
    latestDeadLetters(db, projectId, 20),
    automationErrors(db, projectId, now),
    projectShardStatus(env, projectId),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    range,
    bucketMinutes: RANGES[range].bucketMs / MINUTE_MS,
    flushEverySeconds: FLUSH_EVERY_MS / 1000,
    ingestMode: ingestMode(env),
    ingest,
    queue,
    deadLetters: {
      count: dead.count,
      latest: dead.latest.map((d) => ({ ...d, type: typeof d.type === 'string' ? d.type : null, receivedAt: new Date(d.receivedAt).toISOString() })),
    },
    automationErrors: automation,
    storage: { shard: storage.binding, location: storage.location, projects: storage.projects, bytes: storage.bytes, limitBytes: storage.limitBytes, nearLimit: storage.nearLimit },
  };
}
