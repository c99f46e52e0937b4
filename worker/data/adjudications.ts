import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { adjudications, queueItems } from '../db/review';
import { iso } from '../lib/time';
import type { AdjudicationResponse } from '../schemas/insights-agreement';
import type { LabelValues } from '../schemas/label-schemas';
import { labelRecomputes } from './trace-labels';

/** Adjudications: an admin's final label per queue item, one row per (queue, trace). */

type Row = typeof adjudications.$inferSelect;

export function toAdjudicationResponse(r: Row): AdjudicationResponse {
  return {
    queueId: r.queueId,
    traceId: r.traceId,
    schemaId: r.schemaId,
    schemaVersion: r.schemaVersion,
    values: JSON.parse(r.values) as LabelValues,
    notes: r.notes,
    adjudicatedBy: r.adjudicatedBy,
    adjudicatedByName: r.adjudicatedByName,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

interface ItemKey {
  projectId: string;
  queueId: string;
  traceId: string;
}

const matches = ({ projectId, queueId, traceId }: ItemKey) =>
  and(eq(adjudications.projectId, projectId), eq(adjudications.queueId, queueId), eq(adjudications.traceId, traceId));

export async function getAdjudication(db: Db, key: ItemKey): Promise<AdjudicationResponse | null> {
  const row = await db.select().from(adjudications).where(matches(key)).get();
  return row ? toAdjudicationResponse(row) : null;
}

/** Whether the trace is (or was) an item of the queue, per the queue's D1 copy of its items. */
export async function isQueueItem(db: Db, { projectId, queueId, traceId }: ItemKey): Promise<boolean> {
  const row = await db
    .select({ traceId: queueItems.traceId })
    .from(queueItems)
    .where(and(eq(queueItems.projectId, projectId), eq(queueItems.queueId, queueId), eq(queueItems.traceId, traceId)))
    .get();
  return !!row;
}

/**
 * Creates or replaces the item's adjudication (a replacement keeps `createdAt`) and, in the same
 * transaction, recomputes the trace's effective labels.
 */
export async function putAdjudication(
  d1: D1Database,
  input: ItemKey & { schemaId: string; schemaVersion: number; values: LabelValues; notes: string | null; by: { id: string; name: string } },
): Promise<AdjudicationResponse> {
  const now = Date.now();
  // Queue ids are unique across projects, and the caller checked the queue is the project's.
  const upsert = d1
    .prepare(
      `INSERT INTO adjudications (queue_id, trace_id, project_id, schema_id, schema_version, "values", notes, adjudicated_by, adjudicated_by_name, created_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
       ON CONFLICT (queue_id, trace_id) DO UPDATE SET schema_id = excluded.schema_id, schema_version = excluded.schema_version, "values" = excluded."values",
         notes = excluded.notes, adjudicated_by = excluded.adjudicated_by, adjudicated_by_name = excluded.adjudicated_by_name, updated_at = excluded.updated_at
       RETURNING queue_id AS queueId, trace_id AS traceId, project_id AS projectId, schema_id AS schemaId, schema_version AS schemaVersion, "values",
         notes, adjudicated_by AS adjudicatedBy, adjudicated_by_name AS adjudicatedByName, created_at AS createdAt, updated_at AS updatedAt`,
    )
    .bind(input.queueId, input.traceId, input.projectId, input.schemaId, input.schemaVersion, JSON.stringify(input.values), input.notes, input.by.id, input.by.name, now);
  const [written] = await d1.batch<Row>([upsert, ...labelRecomputes(d1, input.projectId, [input.traceId])]);
  return toAdjudicationResponse(written.results[0]);
}

/** Removes the item's adjudication (and recomputes the trace's effective labels); false when there was none. */
export async function deleteAdjudication(d1: D1Database, { projectId, queueId, traceId }: ItemKey): Promise<boolean> {
  const [deleted] = await d1.batch([
    d1.prepare(`DELETE FROM adjudications WHERE project_id = ? AND queue_id = ? AND trace_id = ?`).bind(projectId, queueId, traceId),
    ...labelRecomputes(d1, projectId, [traceId]),
  ]);
  return (deleted.meta.changes ?? 0) > 0;
}
