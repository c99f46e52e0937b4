import { Unprocessable } from '../lib/errors';
import { loadQueue } from '../queues/service';
import { MAX_TRACES_PER_REQUEST, type AddFromQueueBody, type AddFromTracesResponse } from '../schemas/datasets';
import { addRecordsFromTraces } from './from-traces';
import type { AnnotationContext } from './mapping';
import type { ProjectEnv } from '../data/shards';

/**
 * Adds a queue's reviewed traces to a dataset, with the review as provenance and as a source for the
 * mapping (expected output from the reviewer's notes or a field, labels into the metadata). With
 * several reviews of one trace, the latest submitted one speaks for it.
 */
export async function addRecordsFromQueue(
  env: ProjectEnv,
  projectId: string,
  datasetId: string,
  body: AddFromQueueBody,
  addedBy: string,
): Promise<AddFromTracesResponse> {
  await loadQueue(env, projectId, body.queueId);
  const { results } = await env.shard
    .prepare(
      `SELECT id, trace_id, "values", notes, reviewer_name FROM annotations
       WHERE project_id = ? AND queue_id = ? ORDER BY updated_at DESC, id`,
    )
    .bind(projectId, body.queueId)
    .all<{ id: string; trace_id: string; values: string; notes: string | null; reviewer_name: string }>();
  const latest = new Map<string, AnnotationContext>();
  for (const r of results) {
    if (latest.has(r.trace_id)) continue;
    latest.set(r.trace_id, { id: r.id, queueId: body.queueId, values: JSON.parse(r.values) as Record<string, unknown>, notes: r.notes, reviewerName: r.reviewer_name });
  }
  const where = body.where;
  const chosen = [...latest].filter(([, a]) => !where || a.values[where.field] === where.equals);
  if (chosen.length > MAX_TRACES_PER_REQUEST) {
    throw new Unprocessable(`The queue has ${chosen.length} matching reviewed items; add at most ${MAX_TRACES_PER_REQUEST} per request (narrow \`where\`).`);
  }
  return addRecordsFromTraces(env, projectId, datasetId, chosen.map(([traceId]) => traceId), body.mapping, {
    allowDuplicates: body.allowDuplicates,
    addedBy,
    annotations: new Map(chosen),
  });
}
