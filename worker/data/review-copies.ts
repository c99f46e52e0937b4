import { jsonChunks } from './json-chunks';
import { labelRecomputes } from './trace-labels';

/**
 * The D1 copies a queue's Durable Object writes through its outbox: annotations and item states.
 * Both are upserts guarded by a counter the object increments, so retries, duplicates and reordering
 * all converge on the object's latest state.
 */

/** An annotation as the object sends it; `values` is JSON text. */
export interface AnnotationCopy {
  id: string;
  traceId: string;
  reviewerId: string;
  reviewerName: string;
  schemaId: string;
  schemaVersion: number;
  values: string;
  notes: string | null;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface QueueItemCopy {
  traceId: string;
  status: 'open' | 'done' | 'removed';
  reviewsDone: number;
  ruleId: string | null;
  ruleVersion: number | null;
  addedAt: number;
  removedAt: number | null;
  rev: number;
}

type Scope = { projectId: string; queueId: string };

const UPSERT_ANNOTATIONS = `
  INSERT INTO annotations (id, project_id, queue_id, trace_id, reviewer_id, reviewer_name, schema_id, schema_version, "values", notes, revision, created_at, updated_at)
  SELECT j.value->>'id', ?1, ?2, j.value->>'traceId', j.value->>'reviewerId', j.value->>'reviewerName', j.value->>'schemaId',
    j.value->>'schemaVersion', j.value->>'values', j.value->>'notes', j.value->>'revision', j.value->>'createdAt', j.value->>'updatedAt'
  FROM json_each(?3) j WHERE true
  ON CONFLICT (queue_id, trace_id, reviewer_id) DO UPDATE SET
    reviewer_name = excluded.reviewer_name, schema_version = excluded.schema_version, "values" = excluded."values",
    notes = excluded.notes, revision = excluded.revision, updated_at = excluded.updated_at
  WHERE excluded.revision > annotations.revision`;

const UPSERT_ITEMS = `
  INSERT INTO queue_items (queue_id, trace_id, project_id, status, reviews_done, rule_id, rule_version, added_at, removed_at, rev)
  SELECT ?2, j.value->>'traceId', ?1, j.value->>'status', j.value->>'reviewsDone', j.value->>'ruleId', j.value->>'ruleVersion',
    j.value->>'addedAt', j.value->>'removedAt', j.value->>'rev'
  FROM json_each(?3) j WHERE true
  ON CONFLICT (queue_id, trace_id) DO UPDATE SET
    status = excluded.status, reviews_done = excluded.reviews_done, removed_at = excluded.removed_at, rev = excluded.rev
  WHERE excluded.rev > queue_items.rev`;

/**
 * The annotation upserts, followed by the recompute of their traces' effective labels (trace_labels):
 * in the caller's batch, so the labels change in the same transaction. The recompute reads whatever
 * the upserts left, so a duplicate or stale copy (which the revision guard ignores) changes nothing.
 */
export function annotationUpserts(d1: D1Database, scope: Scope, rows: AnnotationCopy[]): D1PreparedStatement[] {
  if (!rows.length) return [];
  const stmt = d1.prepare(UPSERT_ANNOTATIONS);
  const upserts = jsonChunks(rows).map((json) => stmt.bind(scope.projectId, scope.queueId, json));
  return [...upserts, ...labelRecomputes(d1, scope.projectId, rows.map((r) => r.traceId))];
}

export function queueItemUpserts(d1: D1Database, scope: Scope, rows: QueueItemCopy[]): D1PreparedStatement[] {
  if (!rows.length) return [];
  const stmt = d1.prepare(UPSERT_ITEMS);
  return jsonChunks(rows).map((json) => stmt.bind(scope.projectId, scope.queueId, json));
}
