import type { LabelValues } from '../schemas/label-schemas';
import type { ItemStatus, QueueItem, ReviewState } from '../schemas/queues';
import type { ItemRow, ReviewRow } from './queue-sql';
import type { QueueConfig } from './types';
import { iso } from '../lib/time';

/** The API's views of the queue object's rows, and the item list. */


/** The reviewer-facing view of a review row. */
export function toReviewState(r: ReviewRow): ReviewState {
  return {
    reviewerId: r.reviewer_id,
    reviewerName: r.reviewer_name,
    status: r.status,
    values: r.values_json ? (JSON.parse(r.values_json) as LabelValues) : null,
    notes: r.notes,
    schemaVersion: r.schema_version,
    leaseExpiresAt: r.lease_expires_at === null ? null : iso(r.lease_expires_at),
    skipReason: r.skip_reason,
    submittedAt: r.submitted_at === null ? null : iso(r.submitted_at),
    updatedAt: iso(r.updated_at),
    revision: r.revision,
  };
}

export function itemStatus(i: ItemRow): ItemStatus {
  if (i.status !== 'open') return i.status;
  return i.leased > 0 || i.submitted > 0 ? 'in_progress' : 'open';
}

export function toQueueItem(i: ItemRow, reviewersPerItem: number): QueueItem {
  return {
    itemId: i.trace_id,
    traceId: i.trace_id,
    status: itemStatus(i),
    reviewsDone: i.submitted,
    reviewsNeeded: reviewersPerItem,
    leased: i.leased,
    addedAt: iso(i.added_at),
    removedAt: i.removed_at === null ? null : iso(i.removed_at),
    source: i.rule_id === null ? null : { ruleId: i.rule_id, ruleVersion: i.rule_version ?? 0 },
  };
}

/** A page of items in the order they were added; the cursor is the last item's sequence number. */
export function listItems(sql: SqlStorage, cfg: QueueConfig, opts: { status?: ItemStatus; cursor?: string; limit: number }): { data: QueueItem[]; nextCursor: string | null } {
  const where: Record<ItemStatus, string> = {
    open: `status = 'open' AND leased = 0 AND submitted = 0`,
    in_progress: `status = 'open' AND (leased > 0 OR submitted > 0)`,
    done: `status = 'done'`,
    removed: `status = 'removed'`,
  };
  const filter = opts.status ? `AND ${where[opts.status]}` : '';
  const rows = sql
    .exec<ItemRow & Record<string, SqlStorageValue>>(`SELECT * FROM items WHERE seq > ? ${filter} ORDER BY seq LIMIT ?`, Number(opts.cursor ?? 0), opts.limit + 1)
    .toArray();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return { data: page.map((i) => toQueueItem(i, cfg.reviewersPerItem)), nextCursor: rows.length > opts.limit && last ? String(last.seq) : null };
}