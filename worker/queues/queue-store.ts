import { valuesSchema, type LabelValues } from '../schemas/label-schemas';
import type { ClaimResponse, ReviewState } from '../schemas/queues';
import { Outbox } from './outbox';
import { EXPIRE_LEASES, NEXT_ITEM, REFRESH_ITEM, RESTATUS_ALL, SET_ITEM_STATUS, type ItemRow, type ReviewRow } from './queue-sql';
import { toReviewState } from './queue-views';
import { QueueCommandError, type ItemChange, type ItemSource, type QueueConfig, type Reviewer } from './types';
import { iso } from '../lib/time';

const fail = (status: 404 | 409 | 422, code: string, message: string, details?: unknown) => new QueueCommandError({ status, code, message, details });
const itemNotFound = () => fail(404, 'not_found', 'Item not found.');

/** Values checked against the queue's pinned schema version; a 422 names each field at fault. */
function checkValues(cfg: QueueConfig, values: unknown, partial: boolean): LabelValues {
  const parsed = valuesSchema(cfg.fields, { partial }).safeParse(values);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: ['values', ...i.path].join('.'), message: i.message }));
  const first = details[0];
  throw fail(422, 'invalid_values', `Invalid ${first?.path ?? 'values'}: ${first?.message ?? 'does not match the schema'} (schema version ${cfg.schemaVersion}).`, details);
}

/**
 * The queue's state machine over the object's SQLite storage. Every method is synchronous, so a
 * command runs to completion before the next one starts: that, plus the unique (trace, slot) index,
 * is the whole concurrency story. Methods that change state return the item changes to broadcast.
 */
export class QueueStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
  ) {}

  item(traceId: string): ItemRow | null {
    return this.sql.exec<ItemRow & Record<string, SqlStorageValue>>(`SELECT * FROM items WHERE trace_id = ?`, traceId).toArray()[0] ?? null;
  }

  review(traceId: string, reviewerId: string): ReviewRow | null {
    return (
      this.sql.exec<ReviewRow & Record<string, SqlStorageValue>>(`SELECT * FROM reviews WHERE trace_id = ? AND reviewer_id = ?`, traceId, reviewerId).toArray()[0] ??
      null
    );
  }

  reviewsOf(traceId: string): ReviewRow[] {
    return this.sql.exec<ReviewRow & Record<string, SqlStorageValue>>(`SELECT * FROM reviews WHERE trace_id = ? ORDER BY submitted_at, reviewer_id`, traceId).toArray();
  }

  /** Frees the slots of leases that ran out; called first by every command and by the alarm. */
  expireLeases(now: number, cfg: QueueConfig): ItemChange[] {
    const expired = this.sql.exec<{ trace_id: string; reviewer_id: string }>(EXPIRE_LEASES, now).toArray();
    for (const traceId of new Set(expired.map((e) => e.trace_id))) this.refresh(traceId, cfg, now, false);
    return expired.map((e) => ({ traceId: e.trace_id, event: 'expired' as const, reviewerId: e.reviewer_id }));
  }

  /** Applies a new `reviewersPerItem`: items may turn done, or open again. */
  restatus(cfg: QueueConfig, now: number): void {
    const changed = this.sql.exec<{ trace_id: string }>(RESTATUS_ALL, cfg.reviewersPerItem).toArray();
    if (changed.length) this.outbox.items(changed.map((c) => this.item(c.trace_id)).filter((i): i is ItemRow => !!i), now);
  }

  /** Recounts an item after its reviews changed; `mirror` queues its new state for D1. */
  private refresh(traceId: string, cfg: QueueConfig, now: number, mirror: boolean): ItemRow {
    this.sql.exec(REFRESH_ITEM, traceId);
    this.sql.exec(SET_ITEM_STATUS, cfg.reviewersPerItem, traceId);
    const item = this.item(traceId)!;
    if (mirror) this.outbox.items([item], now);
    return item;
  }

  private freeSlot(traceId: string, cfg: QueueConfig): number | null {
    const held = new Set(this.sql.exec<{ slot: number }>(`SELECT slot FROM reviews WHERE trace_id = ? AND slot IS NOT NULL`, traceId).toArray().map((r) => r.slot));
    for (let s = 0; s < cfg.reviewersPerItem; s++) if (!held.has(s)) return s;
    return null;
  }

  private openItem(traceId: string): ItemRow {
    const item = this.item(traceId);
    if (!item || item.status === 'removed') throw itemNotFound();
    return item;
  }

  private assertActive(cfg: QueueConfig): void {
    if (cfg.status === 'archived') throw fail(409, 'archived', 'This queue is archived: it takes no new reviews.');
  }

  /**
   * Gives the reviewer the next item that still needs a review and that they have not done, under a
   * lease. A reviewer who already holds an item gets that one back, its lease renewed.
   */
  claim(cfg: QueueConfig, reviewer: Reviewer, now: number): { claim: ClaimResponse; changes: ItemChange[] } {
    this.assertActive(cfg);
    const expires = now + cfg.leaseSeconds * 1000;
    const held = this.sql.exec<ReviewRow & Record<string, SqlStorageValue>>(`SELECT * FROM reviews WHERE reviewer_id = ? AND status = 'leased' LIMIT 1`, reviewer.id).toArray()[0];
    if (held) {
      this.sql.exec(`UPDATE reviews SET lease_expires_at = ?, updated_at = ? WHERE trace_id = ? AND reviewer_id = ?`, expires, now, held.trace_id, reviewer.id);
      return { claim: this.claimed(held.trace_id, reviewer.id), changes: [] };
    }
    const next = this.sql.exec<{ trace_id: string }>(NEXT_ITEM, cfg.reviewersPerItem, reviewer.id).toArray()[0];
    if (!next) return { claim: { item: null }, changes: [] };
    this.lease(cfg, next.trace_id, reviewer, now);
    return { claim: this.claimed(next.trace_id, reviewer.id), changes: [{ traceId: next.trace_id, event: 'claimed', reviewerId: reviewer.id }] };
  }

  /** Takes a free slot of the item for the reviewer; keeps a draft they left on it before. */
  private lease(cfg: QueueConfig, traceId: string, reviewer: Reviewer, now: number): void {
    const slot = this.freeSlot(traceId, cfg);
    if (slot === null) throw fail(409, 'no_free_slot', 'Every review of this item is taken: claim another item.');
    this.sql.exec(
      `INSERT INTO reviews (trace_id, reviewer_id, reviewer_name, status, slot, lease_expires_at, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'leased', ?4, ?5, ?6, ?6)
       ON CONFLICT (trace_id, reviewer_id) DO UPDATE SET status = 'leased', slot = ?4, lease_expires_at = ?5,
         reviewer_name = ?3, skip_reason = NULL, updated_at = ?6`,
      traceId, reviewer.id, reviewer.name, slot, now + cfg.leaseSeconds * 1000, now,
    );
    this.refresh(traceId, cfg, now, false);
  }

  private claimed(traceId: string, reviewerId: string): ClaimResponse {
    const r = this.review(traceId, reviewerId)!;
    return { item: { itemId: traceId, traceId, slot: r.slot!, leaseExpiresAt: iso(r.lease_expires_at!), review: toReviewState(r) } };
  }

  /** Gives a held item back; its draft stays for when the reviewer comes back to it. */
  release(cfg: QueueConfig, reviewer: Reviewer, traceId: string, now: number): { review: ReviewState; changes: ItemChange[] } {
    this.openItem(traceId);
    const r = this.review(traceId, reviewer.id);
    if (r?.status === 'released') return { review: toReviewState(r), changes: [] };
    if (r?.status !== 'leased') throw fail(409, 'not_held', 'You do not hold this item.');
    this.sql.exec(`UPDATE reviews SET status = 'released', slot = NULL, lease_expires_at = NULL, updated_at = ? WHERE trace_id = ? AND reviewer_id = ?`, now, traceId, reviewer.id);
    this.refresh(traceId, cfg, now, false);
    return { review: toReviewState(this.review(traceId, reviewer.id)!), changes: [{ traceId, event: 'released', reviewerId: reviewer.id }] };
  }

  /** Passes on an item for good: it is never offered to this reviewer again, and its slot is freed. */
  skip(cfg: QueueConfig, reviewer: Reviewer, traceId: string, reason: string, now: number): { review: ReviewState; changes: ItemChange[] } {
    this.openItem(traceId);
    const r = this.review(traceId, reviewer.id);
    if (r?.status === 'submitted') throw fail(409, 'already_submitted', 'You already submitted this item; edit your submission instead.');
    this.sql.exec(
      `INSERT INTO reviews (trace_id, reviewer_id, reviewer_name, status, skip_reason, created_at, updated_at)
       VALUES (?1, ?2, ?3, 'skipped', ?4, ?5, ?5)
       ON CONFLICT (trace_id, reviewer_id) DO UPDATE SET status = 'skipped', slot = NULL, lease_expires_at = NULL, skip_reason = ?4, updated_at = ?5`,
      traceId, reviewer.id, reviewer.name, reason, now,
    );
    this.refresh(traceId, cfg, now, false);
    return { review: toReviewState(this.review(traceId, reviewer.id)!), changes: [{ traceId, event: 'skipped', reviewerId: reviewer.id }] };
  }

  /** Autosave: keeps the reviewer's work in progress and renews their lease. */
  saveDraft(cfg: QueueConfig, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null, now: number): ReviewState {
    this.openItem(traceId);
    const r = this.review(traceId, reviewer.id);
    if (r?.status !== 'leased') {
      throw r?.status === 'submitted'
        ? fail(409, 'already_submitted', 'You already submitted this item; edit your submission instead.')
        : fail(409, 'not_held', 'Your reservation of this item has ended: claim it again to keep working on it.');
    }
    const draft = checkValues(cfg, values, true);
    this.sql.exec(
      `UPDATE reviews SET values_json = ?, notes = ?, lease_expires_at = ?, updated_at = ? WHERE trace_id = ? AND reviewer_id = ?`,
      JSON.stringify(draft), notes, now + cfg.leaseSeconds * 1000, now, traceId, reviewer.id,
    );
    return toReviewState(this.review(traceId, reviewer.id)!);
  }

  /**
   * Submits the reviewer's labels. Without a current lease (it expired, or a script submits
   * directly) the submission still lands if a slot is free; never twice for one reviewer.
   */
  submit(cfg: QueueConfig, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null, now: number): { review: ReviewState; changes: ItemChange[] } {
    this.openItem(traceId);
    const r = this.review(traceId, reviewer.id);
    if (r?.status === 'submitted') throw fail(409, 'already_submitted', 'You already submitted this item; edit your submission instead.');
    const answer = checkValues(cfg, values, false);
    if (r?.status !== 'leased') {
      this.assertActive(cfg);
      const item = this.item(traceId)!;
      if (item.leased + item.submitted >= cfg.reviewersPerItem) {
        throw fail(409, 'no_free_slot', 'Your reservation ended and every review of this item has been taken since.');
      }
      this.lease(cfg, traceId, reviewer, now);
    }
    this.sql.exec(
      `UPDATE reviews SET status = 'submitted', lease_expires_at = NULL, values_json = ?, notes = ?, schema_version = ?,
         revision = revision + 1, skip_reason = NULL, annotation_id = coalesce(annotation_id, ?), submitted_at = ?, updated_at = ?
       WHERE trace_id = ? AND reviewer_id = ?`,
      JSON.stringify(answer), notes, cfg.schemaVersion, crypto.randomUUID(), now, now, traceId, reviewer.id,
    );
    this.refresh(traceId, cfg, now, true);
    const row = this.review(traceId, reviewer.id)!;
    this.outbox.annotation(cfg, row, now);
    return { review: toReviewState(row), changes: [{ traceId, event: 'submitted', reviewerId: reviewer.id }] };
  }

  /** Changes one's own submission; it then records the queue's current schema version. */
  edit(cfg: QueueConfig, reviewer: Reviewer, traceId: string, values: unknown, notes: string | null, now: number): { review: ReviewState; changes: ItemChange[] } {
    this.openItem(traceId);
    const r = this.review(traceId, reviewer.id);
    if (r?.status !== 'submitted') throw fail(404, 'not_found', 'You have no submission for this item.');
    const answer = checkValues(cfg, values, false);
    this.sql.exec(
      `UPDATE reviews SET values_json = ?, notes = ?, schema_version = ?, revision = revision + 1, updated_at = ? WHERE trace_id = ? AND reviewer_id = ?`,
      JSON.stringify(answer), notes, cfg.schemaVersion, now, traceId, reviewer.id,
    );
    const row = this.review(traceId, reviewer.id)!;
    this.outbox.annotation(cfg, row, now);
    return { review: toReviewState(row), changes: [{ traceId, event: 'edited', reviewerId: reviewer.id }] };
  }

  /** Adds traces as items. Present ones are left as they are; removed ones stay out unless `restore`. */
  addItems(cfg: QueueConfig, traceIds: string[], source: ItemSource | null, restore: boolean, now: number) {
    this.assertActive(cfg);
    const out = { added: [] as string[], existing: [] as string[], removed: [] as string[] };
    const touched: ItemRow[] = [];
    for (const traceId of new Set(traceIds)) {
      const item = this.item(traceId);
      if (item?.status === 'removed' && restore) {
        this.sql.exec(`UPDATE items SET status = 'open', removed_at = NULL WHERE trace_id = ?`, traceId);
        touched.push(this.refresh(traceId, cfg, now, false));
        out.added.push(traceId);
      } else if (item) {
        (item.status === 'removed' ? out.removed : out.existing).push(traceId);
      } else {
        this.sql.exec(
          `INSERT INTO items (trace_id, status, added_at, rule_id, rule_version) VALUES (?, 'open', ?, ?, ?)`,
          traceId, now, source?.ruleId ?? null, source?.ruleVersion ?? null,
        );
        touched.push(this.item(traceId)!);
        out.added.push(traceId);
      }
    }
    this.outbox.items(touched, now);
    return { result: out, changes: out.added.map((traceId) => ({ traceId, event: 'added' as const })) };
  }

  /** Removes an item for good (it is remembered, so nothing adds it back); holders lose their lease. */
  removeItem(cfg: QueueConfig, traceId: string, now: number): ItemChange[] {
    const item = this.item(traceId);
    if (!item) throw itemNotFound();
    if (item.status === 'removed') return [];
    this.sql.exec(`UPDATE reviews SET status = 'released', slot = NULL, lease_expires_at = NULL, updated_at = ? WHERE trace_id = ? AND status = 'leased'`, now, traceId);
    this.sql.exec(`UPDATE items SET status = 'removed', removed_at = ? WHERE trace_id = ?`, now, traceId);
    this.refresh(traceId, cfg, now, true);
    return [{ traceId, event: 'removed' }];
  }

}
