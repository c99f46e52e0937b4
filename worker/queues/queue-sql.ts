/**
 * The SQLite schema and statements of one AnnotationQueue Durable Object. An item is a trace; a review
 * is one reviewer's work on one item; a slot is one of the item's `reviewersPerItem` reviews, held by a
 * lease or a submission. The partial unique index on (trace, slot) is what makes "two reviewers never
 * hold the same slot" a property of the storage, not only of the code.
 */
export const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    leased INTEGER NOT NULL DEFAULT 0,
    submitted INTEGER NOT NULL DEFAULT 0,
    added_at INTEGER NOT NULL,
    removed_at INTEGER,
    rule_id TEXT,
    rule_version INTEGER,
    rev INTEGER NOT NULL DEFAULT 1
  )`,
  // Claims walk open items in insertion order: done and removed items never enter the scan.
  `CREATE INDEX IF NOT EXISTS items_open ON items (seq) WHERE status = 'open'`,
  `CREATE TABLE IF NOT EXISTS reviews (
    trace_id TEXT NOT NULL,
    reviewer_id TEXT NOT NULL,
    reviewer_name TEXT NOT NULL,
    status TEXT NOT NULL,
    slot INTEGER,
    lease_expires_at INTEGER,
    values_json TEXT,
    notes TEXT,
    schema_version INTEGER,
    revision INTEGER NOT NULL DEFAULT 0,
    skip_reason TEXT,
    annotation_id TEXT,
    created_at INTEGER NOT NULL,
    submitted_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (trace_id, reviewer_id)
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS reviews_slot ON reviews (trace_id, slot) WHERE slot IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS reviews_leases ON reviews (lease_expires_at) WHERE status = 'leased'`,
  `CREATE INDEX IF NOT EXISTS reviews_reviewer ON reviews (reviewer_id, status)`,
  `CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT
  )`,
];

export interface ItemRow {
  seq: number;
  trace_id: string;
  status: 'open' | 'done' | 'removed';
  leased: number;
  submitted: number;
  added_at: number;
  removed_at: number | null;
  rule_id: string | null;
  rule_version: number | null;
  rev: number;
}

export interface ReviewRow {
  trace_id: string;
  reviewer_id: string;
  reviewer_name: string;
  status: 'leased' | 'released' | 'submitted' | 'skipped';
  slot: number | null;
  lease_expires_at: number | null;
  values_json: string | null;
  notes: string | null;
  schema_version: number | null;
  revision: number;
  skip_reason: string | null;
  annotation_id: string | null;
  created_at: number;
  submitted_at: number | null;
  updated_at: number;
}

/** The next open item with a free slot that this reviewer has neither submitted nor skipped. */
export const NEXT_ITEM = `
  SELECT i.trace_id FROM items i
  WHERE i.status = 'open' AND i.leased + i.submitted < ?
    AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.trace_id = i.trace_id AND r.reviewer_id = ? AND r.status IN ('submitted', 'skipped'))
  ORDER BY i.seq LIMIT 1`;

/** Recounts an item's leases and submissions and derives its status (a removed item stays removed). */
export const REFRESH_ITEM = `
  UPDATE items SET
    leased = (SELECT count(*) FROM reviews r WHERE r.trace_id = items.trace_id AND r.status = 'leased'),
    submitted = (SELECT count(*) FROM reviews r WHERE r.trace_id = items.trace_id AND r.status = 'submitted'),
    rev = rev + 1
  WHERE trace_id = ?`;
export const SET_ITEM_STATUS = `
  UPDATE items SET status = CASE WHEN status = 'removed' THEN 'removed' WHEN submitted >= ? THEN 'done' ELSE 'open' END
  WHERE trace_id = ?`;
/** After `reviewersPerItem` changes: items may become done, or open again. */
export const RESTATUS_ALL = `
  UPDATE items SET status = CASE WHEN submitted >= ?1 THEN 'done' ELSE 'open' END, rev = rev + 1
  WHERE status <> 'removed' AND status <> CASE WHEN submitted >= ?1 THEN 'done' ELSE 'open' END
  RETURNING trace_id`;

export const EXPIRE_LEASES = `
  UPDATE reviews SET status = 'released', slot = NULL, lease_expires_at = NULL, updated_at = ?1
  WHERE status = 'leased' AND lease_expires_at <= ?1
  RETURNING trace_id, reviewer_id`;

export const PROGRESS = `
  SELECT
    coalesce(sum(status <> 'removed'), 0) AS total,
    coalesce(sum(status = 'done'), 0) AS done,
    coalesce(sum(status = 'open' AND (leased > 0 OR submitted > 0)), 0) AS in_progress,
    coalesce(sum(status = 'removed'), 0) AS removed,
    coalesce(sum(CASE WHEN status <> 'removed' THEN min(submitted, ?) ELSE 0 END), 0) AS reviews_submitted
  FROM items`;

export const REVIEWER_PROGRESS = `
  SELECT reviewer_id, max(reviewer_name) AS reviewer_name,
    sum(status = 'submitted') AS submitted, sum(status = 'skipped') AS skipped, sum(status = 'leased') AS leased,
    max(updated_at) AS last_active_at
  FROM reviews GROUP BY reviewer_id ORDER BY reviewer_name, reviewer_id`;

export const LEASE_HOLDERS = `SELECT reviewer_id, reviewer_name, trace_id FROM reviews WHERE status = 'leased' ORDER BY reviewer_id, trace_id`;

export const NEXT_WAKE = `
  SELECT min(t) AS at FROM (
    SELECT min(lease_expires_at) AS t FROM reviews WHERE status = 'leased'
    UNION ALL SELECT min(next_at) FROM outbox
  )`;
