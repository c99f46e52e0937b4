import { annotationUpserts, queueItemUpserts, type AnnotationCopy, type QueueItemCopy } from '../data/review-copies';
import type { ItemRow, ReviewRow } from './queue-sql';
import type { QueueConfig } from './types';

type Entry = { kind: 'annotation'; row: AnnotationCopy } | { kind: 'items'; rows: QueueItemCopy[] };

/** Rows per flush: one D1 batch (one transaction) with a few JSON-parameter statements. */
const FLUSH_LIMIT = 500;
const MAX_BACKOFF_MS = 5 * 60_000;
const ISOLATE_AFTER = 3;

/** Exponential backoff from 1 s, capped at 5 minutes: a D1 outage delays copies, never drops them. */
export const backoffMs = (attempts: number): number => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempts - 1));

/**
 * The queue's outbox to D1 (the shard of the queue's project). A submission is durable once it is in the object's storage; its D1 copy
 * is written here afterwards, with retries, so a D1 failure delays it but never loses it. Writes are
 * upserts guarded by a revision, so a retried or reordered row never overwrites a newer one.
 */
export class Outbox {
  /** Test hook: the next `failNext` flushes fail as if D1 were down. */
  failNext = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    /** The D1 database of the queue's project: its shard (worker/data/shards.ts). */
    private readonly shardOf: (projectId: string) => Promise<D1Database>,
    private readonly clock: { now(): number },
  ) {}

  annotation(cfg: QueueConfig, r: ReviewRow, now: number): void {
    const row: AnnotationCopy = {
      id: r.annotation_id!,
      traceId: r.trace_id,
      reviewerId: r.reviewer_id,
      reviewerName: r.reviewer_name,
      schemaId: cfg.schemaId,
      schemaVersion: r.schema_version!,
      values: r.values_json ?? '{}',
      notes: r.notes,
      revision: r.revision,
      createdAt: r.submitted_at ?? now,
      updatedAt: r.updated_at,
    };
    this.put({ kind: 'annotation', row }, now);
  }

  items(items: ItemRow[], now: number): void {
    if (!items.length) return;
    const rows = items.map((i) => ({
      traceId: i.trace_id,
      status: i.status,
      reviewsDone: i.submitted,
      ruleId: i.rule_id,
      ruleVersion: i.rule_version,
      addedAt: i.added_at,
      removedAt: i.removed_at,
      rev: i.rev,
    }));
    this.put({ kind: 'items', rows }, now);
  }

  private put(entry: Entry, now: number): void {
    this.sql.exec(`INSERT INTO outbox (kind, payload, next_at) VALUES (?, ?, ?)`, entry.kind, JSON.stringify(entry), now);
  }

  pending(): number {
    return this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM outbox`).one().n;
  }

  /**
   * Writes what is due to D1. Calls are chained, so concurrent submissions share one D1 batch
   * (group commit) and no row is ever in two flights at once. Never throws.
   */
  flush(cfg: Pick<QueueConfig, 'projectId' | 'queueId'>): Promise<void> {
    this.chain = this.chain
      .then(() => this.flushOnce(cfg))
      .catch((err) => console.error(JSON.stringify({ level: 'error', msg: 'queue outbox flush crashed', queueId: cfg.queueId, error: String(err) })));
    return this.chain;
  }

  private async flushOnce(cfg: Pick<QueueConfig, 'projectId' | 'queueId'>): Promise<void> {
    const now = this.clock.now();
    const ready = this.sql
      .exec<{ id: number; payload: string; attempts: number }>(`SELECT id, payload, attempts FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?`, now, FLUSH_LIMIT)
      .toArray();
    if (!ready.length) return;
    // A row that failed several times goes alone, so one bad row cannot hold back the others for good.
    const due = ready[0].attempts >= ISOLATE_AFTER ? ready.slice(0, 1) : ready;
    const entries = due.map((d) => JSON.parse(d.payload) as Entry);
    const annotations = entries.flatMap((e) => (e.kind === 'annotation' ? [e.row] : []));
    const items = entries.flatMap((e) => (e.kind === 'items' ? e.rows : []));
    const ids = JSON.stringify(due.map((d) => d.id));
    try {
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('injected D1 failure');
      }
      const d1 = await this.shardOf(cfg.projectId);
      await d1.batch([...queueItemUpserts(d1, cfg, items), ...annotationUpserts(d1, cfg, annotations)]);
      this.sql.exec(`DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))`, ids);
    } catch (err) {
      for (const d of due) {
        this.sql.exec(`UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?`, now + backoffMs(d.attempts + 1), String(err).slice(0, 500), d.id);
      }
      console.error(JSON.stringify({ level: 'warn', msg: 'queue outbox flush failed, will retry', queueId: cfg.queueId, rows: due.length, error: String(err) }));
    }
  }
}
