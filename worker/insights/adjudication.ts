import { deleteAdjudication, getAdjudication, isQueueItem, putAdjudication } from '../data/adjudications';
import { getDb } from '../db/client';
import { HttpError, NotFound } from '../lib/errors';
import type { Principal } from '../middleware/auth';
import { reviewerOf } from '../queues/review';
import { loadQueue } from '../queues/service';
import type { AdjudicationBody, AdjudicationResponse } from '../schemas/insights-agreement';
import { valuesSchema, type LabelValues } from '../schemas/label-schemas';
import type { ProjectEnv } from '../data/shards';

/**
 * An admin's final label for a queue item: checked against the queue's current schema version like a
 * review, but partial (only the fields that needed a decision). The other analyses read it through
 * `insights/labels.ts`, where it wins over the reviewers' majority.
 */

function checkValues(fields: Parameters<typeof valuesSchema>[0], schemaVersion: number, values: unknown): LabelValues {
  const parsed = valuesSchema(fields, { partial: true }).safeParse(values);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: ['values', ...i.path].join('.'), message: i.message }));
    const first = details[0];
    throw new HttpError(422, 'invalid_values', `Invalid ${first?.path ?? 'values'}: ${first?.message ?? 'does not match the schema'} (schema version ${schemaVersion}).`, details);
  }
  const decided = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== null && v !== undefined)) as LabelValues;
  if (!Object.keys(decided).length) {
    throw new HttpError(422, 'invalid_values', 'Choose the final value of at least one field.', [{ path: 'values', message: 'adjudicate at least one field' }]);
  }
  return decided;
}

async function checkItem(env: ProjectEnv, projectId: string, queueId: string, traceId: string) {
  const loaded = await loadQueue(env, projectId, queueId);
  if (!(await isQueueItem(getDb(env.shard), { projectId, queueId, traceId }))) throw new NotFound('Queue item');
  return loaded;
}

/** `PUT …/items/:itemId/adjudication`: records (or replaces) the final label; 404 for an unknown queue or item. */
export async function adjudicate(env: ProjectEnv, projectId: string, queueId: string, traceId: string, body: AdjudicationBody, p: Principal): Promise<AdjudicationResponse> {
  const { cfg } = await checkItem(env, projectId, queueId, traceId);
  const values = checkValues(cfg.fields, cfg.schemaVersion, body.values);
  const by = reviewerOf(p);
  return putAdjudication(env.shard, { projectId, queueId, traceId, schemaId: cfg.schemaId, schemaVersion: cfg.schemaVersion, values, notes: body.notes?.trim() || null, by });
}

/** `DELETE …/items/:itemId/adjudication`: the reviewers' majority counts again; 404 when there was none. */
export async function removeAdjudication(env: ProjectEnv, projectId: string, queueId: string, traceId: string): Promise<void> {
  await checkItem(env, projectId, queueId, traceId);
  if (!(await deleteAdjudication(env.shard, { projectId, queueId, traceId }))) throw new NotFound('Adjudication');
}

/** The item's adjudication for the item view, or null. */
export function itemAdjudication(env: Pick<ProjectEnv, 'shard'>, projectId: string, queueId: string, traceId: string): Promise<AdjudicationResponse | null> {
  return getAdjudication(getDb(env.shard), { projectId, queueId, traceId });
}
