import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { adjudications, queueItems } from '../db/review';
import { iso } from '../lib/time';
import type { AdjudicationResponse } from '../schemas/insights-agreement';
import type { LabelValues } from '../schemas/label-schemas';

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

/** Creates or replaces the item's adjudication; a replacement keeps `createdAt`. */
export async function putAdjudication(
  db: Db,
  input: ItemKey & { schemaId: string; schemaVersion: number; values: LabelValues; notes: string | null; by: { id: string; name: string } },
): Promise<AdjudicationResponse> {
  const now = Date.now();
  const set = {
    schemaId: input.schemaId,
    schemaVersion: input.schemaVersion,
    values: JSON.stringify(input.values),
    notes: input.notes,
    adjudicatedBy: input.by.id,
    adjudicatedByName: input.by.name,
    updatedAt: now,
  };
  const row = await db
    .insert(adjudications)
    .values({ queueId: input.queueId, traceId: input.traceId, projectId: input.projectId, createdAt: now, ...set })
    // Queue ids are unique across projects, and the caller checked the queue is the project's.
    .onConflictDoUpdate({ target: [adjudications.queueId, adjudications.traceId], set })
    .returning()
    .get();
  return toAdjudicationResponse(row);
}

/** Removes the item's adjudication; false when there was none. */
export async function deleteAdjudication(db: Db, key: ItemKey): Promise<boolean> {
  const rows = await db.delete(adjudications).where(matches(key)).returning({ traceId: adjudications.traceId }).all();
  return rows.length > 0;
}
