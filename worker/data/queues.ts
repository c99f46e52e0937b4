import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { annotationQueues, labelSchemaVersions } from '../db/review';
import { iso, isoOrNull } from '../lib/time';
import type { LabelField } from '../schemas/label-schemas';
import type { QueueResponse } from '../schemas/queues';

type QueueRow = typeof annotationQueues.$inferSelect;
export type QueueSettings = Omit<QueueResponse, 'id' | 'status' | 'createdAt' | 'updatedAt' | 'archivedAt'>;

export function toQueueResponse(q: QueueRow): QueueResponse {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    guidelines: q.guidelines,
    schemaId: q.schemaId,
    schemaVersion: q.schemaVersion,
    reviewersPerItem: q.reviewersPerItem,
    leaseSeconds: q.leaseSeconds,
    accessMode: q.accessMode,
    reviewers: JSON.parse(q.assignedReviewers) as string[],
    blind: q.blind === 1,
    status: q.status,
    createdAt: iso(q.createdAt),
    updatedAt: iso(q.updatedAt),
    archivedAt: isoOrNull(q.archivedAt),
  };
}

function columns(s: Partial<QueueSettings>) {
  const { reviewers, blind, ...rest } = s;
  return {
    ...rest,
    ...(reviewers === undefined ? {} : { assignedReviewers: JSON.stringify(reviewers) }),
    ...(blind === undefined ? {} : { blind: blind ? 1 : 0 }),
  };
}

export async function createQueue(db: Db, input: QueueSettings & { projectId: string; createdBy: string | null }): Promise<QueueResponse> {
  const now = Date.now();
  const { projectId, createdBy, ...settings } = input;
  const row = await db
    .insert(annotationQueues)
    .values({ id: crypto.randomUUID(), projectId, createdBy, createdAt: now, updatedAt: now, ...columns(settings) } as typeof annotationQueues.$inferInsert)
    .returning()
    .get();
  return toQueueResponse(row);
}

export async function listQueues(db: Db, { projectId, status }: { projectId: string; status: 'active' | 'archived' | 'all' }): Promise<QueueResponse[]> {
  const filter = status === 'all' ? undefined : eq(annotationQueues.status, status);
  const rows = await db.select().from(annotationQueues).where(and(eq(annotationQueues.projectId, projectId), filter)).orderBy(desc(annotationQueues.createdAt)).all();
  return rows.map(toQueueResponse);
}

/** The queue with the fields of its pinned schema version: what its Durable Object is configured with. */
export async function getQueueWithFields(db: Db, { projectId, queueId }: { projectId: string; queueId: string }): Promise<{ queue: QueueResponse; fields: LabelField[] } | null> {
  const row = await db
    .select({ queue: annotationQueues, fields: labelSchemaVersions.fields })
    .from(annotationQueues)
    .innerJoin(labelSchemaVersions, and(eq(labelSchemaVersions.schemaId, annotationQueues.schemaId), eq(labelSchemaVersions.version, annotationQueues.schemaVersion)))
    .where(and(eq(annotationQueues.projectId, projectId), eq(annotationQueues.id, queueId)))
    .get();
  return row ? { queue: toQueueResponse(row.queue), fields: JSON.parse(row.fields) as LabelField[] } : null;
}

export async function updateQueue(
  db: Db,
  { projectId, queueId, patch }: { projectId: string; queueId: string; patch: Partial<QueueSettings> & { status?: 'archived'; archivedAt?: number } },
): Promise<QueueResponse | null> {
  const row = await db
    .update(annotationQueues)
    .set({ ...columns(patch), updatedAt: Date.now() })
    .where(and(eq(annotationQueues.projectId, projectId), eq(annotationQueues.id, queueId)))
    .returning()
    .get();
  return row ? toQueueResponse(row) : null;
}
