import { createDataset } from '../data/datasets';
import { addRecordsFromTraces } from '../datasets/from-traces';
import type { AnnotationContext } from '../datasets/mapping';
import { loadDataset } from '../datasets/service';
import { getDb } from '../db/client';
import { Unprocessable } from '../lib/errors';
import { addItems, loadQueue } from '../queues/service';
import { CreateDatasetBody, type FieldMappingInput } from '../schemas/datasets';
import type { CalibrationParams, Disagreement, ExportDisagreementsResponse, RouteDisagreementsResponse } from '../schemas/insights';
import { decide } from './calibration';
import { headlinePairs, loadCalibration, type CalibrationData } from './calibration-data';
import { describe, mismatches, type Mismatch } from './disagreements';
import type { ProjectEnv } from '../data/shards';

/**
 * The closed loop: the traces where the evaluator and the humans disagree go back to people (a queue)
 * and to the judge (a dataset of few-shot examples).
 */

/** The calibration's disagreements, most confident mistakes first. */
export async function findDisagreements(d1: D1Database, projectId: string, params: CalibrationParams): Promise<{ data: CalibrationData; list: Mismatch[]; decision: ReturnType<typeof decide> }> {
  const data = await loadCalibration(d1, projectId, params, { traceIds: true });
  const decision = decide(headlinePairs(data), data.q);
  return { data, list: mismatches(decision), decision };
}

/** Adds the first `limit` disagreements to the project's queue; 404 for another project's queue, 409 when archived. */
export async function routeToQueue(env: ProjectEnv, projectId: string, params: CalibrationParams, queueId: string, limit: number): Promise<RouteDisagreementsResponse> {
  await loadQueue(env, projectId, queueId);
  const { list } = await findDisagreements(env.shard, projectId, params);
  const ids = list.slice(0, limit).map((m) => m.pair.traceId);
  const none = { added: [], existing: [], removed: [], notFound: [] };
  const result = ids.length ? await addItems(env, projectId, queueId, ids) : none;
  return { queueId, total: list.length, sent: ids.length, ...result };
}

const SOURCE_NAME = { adjudicated: 'adjudicated', majority: 'majority', single: 'single review' } as const;

/**
 * One record per disagreement, as a few-shot example for the judge: the trace's input and output, the
 * humans' verdict as the expected output, and in the metadata (under `annotation`) the evaluator's
 * score, label and explanation and whether it was a false positive or negative. The newest review of
 * the trace is the record's provenance.
 */
async function exampleContexts(d1: D1Database, projectId: string, data: CalibrationData, described: Disagreement[]): Promise<Map<string, AnnotationContext>> {
  const ids = JSON.stringify(described.map((x) => x.traceId));
  const [reviews, labels] = await d1.batch<Record<string, string>>([
    d1
      .prepare(
        `SELECT trace_id AS traceId, id, queue_id AS queueId FROM annotations
         WHERE project_id = ? AND trace_id IN (SELECT value FROM json_each(?)) ${data.q.queueId === undefined ? '' : 'AND queue_id = ?'}
         ORDER BY updated_at, id`,
      )
      .bind(projectId, ids, ...(data.q.queueId === undefined ? [] : [data.q.queueId])),
    // A trace only adjudicated has no review: its label's queue (the first adjudication's) stands in.
    d1
      .prepare(`SELECT trace_id AS traceId, queue_id AS queueId FROM trace_labels WHERE project_id = ? AND scope = ? AND field = ? AND kind = ? AND trace_id IN (SELECT value FROM json_each(?))`)
      .bind(projectId, data.q.queueId ?? '', data.q.field, data.kind, ids),
  ]);
  const results = reviews.results as { traceId: string; id: string; queueId: string }[];
  const labelQueue = new Map((labels.results as { traceId: string; queueId: string }[]).map((r) => [r.traceId, r.queueId]));
  const newest = new Map(results.map((r) => [r.traceId, r]));
  return new Map(
    described.map((x) => {
      const review = newest.get(x.traceId);
      const context: AnnotationContext = {
        id: review?.id ?? '',
        queueId: review?.queueId ?? labelQueue.get(x.traceId) ?? '',
        values: {
          evaluator: { name: data.q.evaluator, version: x.evaluatorVersion, score: x.score, label: x.evaluatorLabel, explanation: x.explanation },
          disagreement: x.kind,
          labelSource: x.labelSource,
          [data.q.field]: x.humanLabel,
        },
        notes: null,
        reviewerName: x.labelSource === 'majority' ? `majority of ${x.reviewers}` : SOURCE_NAME[x.labelSource],
      };
      return [x.traceId, context];
    }),
  );
}

/**
 * Adds the first `limit` disagreements to a dataset (or a new one named `name`) as few-shot examples.
 * Traces the dataset already has are skipped. Nothing is created when there is nothing to add.
 */
export async function exportToDataset(
  env: ProjectEnv,
  projectId: string,
  params: CalibrationParams,
  target: { datasetId?: string; name?: string },
  limit: number,
  addedBy: string,
): Promise<ExportDisagreementsResponse> {
  if (target.datasetId !== undefined) await loadDataset(env, projectId, target.datasetId);
  const { data, list } = await findDisagreements(env.shard, projectId, params);
  const chosen = list.slice(0, limit);
  if (!chosen.length && target.name !== undefined) throw new Unprocessable('There are no disagreements to export; no dataset was created.');
  let dataset = { id: target.datasetId ?? '', name: '' };
  if (target.name !== undefined) {
    const description = `Traces where the evaluator “${data.q.evaluator}” and the humans’ “${data.q.field}” disagree, as few-shot examples for the judge.`;
    dataset = await createDataset(getDb(env.shard), { projectId, input: CreateDatasetBody.parse({ name: target.name, description }), createdBy: addedBy });
  } else {
    dataset.name = (await loadDataset(env, projectId, dataset.id)).name;
  }
  const described = await describe(env.shard, projectId, data.q.evaluator, data.evaluatorPositive, chosen);
  const mapping: FieldMappingInput = {
    input: { from: 'root_input' },
    output: { from: 'root_output' },
    expectedOutput: { from: 'annotation', field: data.q.field },
    metadata: { include: ['model', 'promptVersion', 'annotation'] },
  };
  const annotations = chosen.length ? await exampleContexts(env.shard, projectId, data, described) : new Map();
  const ids = chosen.map((m) => m.pair.traceId);
  const r = ids.length ? await addRecordsFromTraces(env, projectId, dataset.id, ids, mapping, { addedBy, annotations }) : null;
  return {
    datasetId: dataset.id,
    datasetName: dataset.name,
    created: target.name !== undefined,
    total: list.length,
    sent: ids.length,
    version: r?.version ?? null,
    added: r?.added.length ?? 0,
    skipped: r?.skipped.length ?? 0,
    notFound: r?.notFound.length ?? 0,
    rejected: r?.rejected ?? [],
  };
}
