import { sql } from 'drizzle-orm';
import { CONTROL, projectShardName, shardDb, type Databases } from '../data/shards';
import { getDb } from '../db/client';
import { opsCounters } from '../db/ops';
import { log } from './log';

/**
 * Operational counters in one-minute buckets per project (`ops_counters`). Ingest is the hot path, so
 * nothing here writes to D1 per request: counts add up in memory per isolate and are flushed with one
 * upsert batch at most every FLUSH_EVERY_MS, from `waitUntil` after a response. The price: when the
 * runtime evicts an isolate, its last unflushed seconds of counts are lost. The numbers are for
 * watching trends, not for billing; spans themselves are never lost this way.
 */

export const METRICS = {
  ingestRequests: 'ingest.requests',
  /** Answered 4xx/5xx after authentication (bad body, throttled, storage down). */
  ingestFailed: 'ingest.failed',
  spansAccepted: 'ingest.spans_accepted',
  spansRejected: 'ingest.spans_rejected',
  /** Request bodies after gzip decompression. */
  ingestBytes: 'ingest.bytes',
  /** Post-ingest messages sent (ingest, signals, backfill steps, replays). */
  enqueued: 'queue.enqueued',
  /** Post-ingest messages acked, including malformed ones that were dropped. */
  consumed: 'queue.consumed',
  retried: 'queue.retried',
  /** Messages that reached the dead-letter queue (replays delete rows, so the table alone cannot say). */
  deadLettered: 'queue.dead_lettered',
  /** D1's `meta.rows_written` of ingest writes (index entries included): what D1 bills. */
  d1RowsWritten: 'd1.rows_written',
  d1RowsRead: 'd1.rows_read',
  /** R2 objects written by ingest (class A operations) and their bytes. */
  r2Puts: 'r2.puts',
  r2BytesWritten: 'r2.bytes_written',
} as const;
export type Metric = (typeof METRICS)[keyof typeof METRICS];

export const FLUSH_EVERY_MS = 10_000;
export const MINUTE_MS = 60_000;
/** Kept across failed flushes up to this many entries, so a D1 outage cannot grow memory without bound. */
const MAX_PENDING = 5_000;
/** A background flush older than this is presumed dead (its `waitUntil` was cut off) and no longer blocks the next. */
const STALE_FLUSH_MS = 60_000;
/** D1 allows 100 bound parameters per statement; four per row. */
const ROWS_PER_STATEMENT = 25;

interface Entry {
  metric: Metric;
  projectId: string;
  bucket: number;
  value: number;
}

/** The per-isolate tally; exported as a class so tests can drive one with their own clock. */
export class CounterStore {
  private pending = new Map<string, Entry>();
  private lastFlush = 0;
  /** Background flushes running; another one is not started meanwhile (a reader's flush still runs). */
  private running = 0;

  /** Adds `n` to a metric of a project (or '' for system-wide) in the minute of `now`. */
  add(metric: Metric, projectId: string, n = 1, now = Date.now()): void {
    if (!n) return;
    const bucket = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const k = `${metric}\n${projectId}\n${bucket}`;
    const hit = this.pending.get(k);
    if (hit) hit.value += n;
    else if (this.pending.size < MAX_PENDING) this.pending.set(k, { metric, projectId, bucket, value: n });
  }

  get size(): number {
    return this.pending.size;
  }

  /** True when something is pending, no flush is running, and the last one started FLUSH_EVERY_MS ago. */
  due(now = Date.now()): boolean {
    if (this.running > 0 && now - this.lastFlush >= STALE_FLUSH_MS) this.running = 0;
    return this.pending.size > 0 && this.running === 0 && now - this.lastFlush >= FLUSH_EVERY_MS;
  }

  /**
   * Writes everything pending with additive upserts, each project's counts to its shard and the
   * system-wide ones ('') to the control database. Flushes may overlap (a reader flushing before it
   * reads, while a background flush runs): each writes its own entries, and additions commute. No
   * promise is shared between requests — workerd does not allow one request to wait on another's I/O.
   * On failure the counts go back into the tally for the next flush; the error is logged, not thrown
   * (callers run this in `waitUntil`).
   */
  async flush(env: Databases, now = Date.now()): Promise<void> {
    if (!this.pending.size) return;
    this.lastFlush = now;
    const entries = [...this.pending.values()];
    this.pending = new Map();
    this.running++;
    try {
      const groups = await this.byShard(env, entries);
      await Promise.all([...groups].map(([binding, group]) => this.write(binding === CONTROL ? env.DB : shardDb(env, binding), group)));
    } finally {
      this.running = Math.max(0, this.running - 1);
    }
  }

  /** Entries per shard binding; a project the control database does not know (deleted) counts in the control database. */
  private async byShard(env: Databases, entries: Entry[]): Promise<Map<string, Entry[]>> {
    const groups = new Map<string, Entry[]>();
    for (const e of entries) {
      let binding = CONTROL;
      if (e.projectId) {
        try {
          binding = (await projectShardName(env.DB, e.projectId)) ?? CONTROL;
        } catch (err) {
          this.add(e.metric, e.projectId, e.value, e.bucket);
          log.warn('ops counters: shard lookup failed; kept for the next flush', { projectId: e.projectId, error: err });
          continue;
        }
      }
      const group = groups.get(binding) ?? [];
      group.push(e);
      groups.set(binding, group);
    }
    return groups;
  }

  private async write(d1: D1Database, entries: Entry[]): Promise<void> {
    try {
      const db = getDb(d1);
      const statements = [];
      for (let i = 0; i < entries.length; i += ROWS_PER_STATEMENT) {
        statements.push(
          db
            .insert(opsCounters)
            .values(entries.slice(i, i + ROWS_PER_STATEMENT))
            .onConflictDoUpdate({
              target: [opsCounters.metric, opsCounters.projectId, opsCounters.bucket],
              set: { value: sql`${opsCounters.value} + excluded.value` },
            }),
        );
      }
      await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    } catch (err) {
      for (const e of entries) this.add(e.metric, e.projectId, e.value, e.bucket);
      log.warn('ops counters flush failed; kept for the next flush', { entries: entries.length, error: err });
    }
  }
}

/** This isolate's counters. */
export const counters = new CounterStore();

export function count(metric: Metric, projectId: string, n = 1): void {
  counters.add(metric, projectId, n);
}

/** Flushes in the background when due; the hook every request and queue batch calls on its way out. */
export function flushIfDue(env: Databases, ctx: { waitUntil(p: Promise<unknown>): void }): void {
  if (counters.due()) ctx.waitUntil(counters.flush(env));
}
