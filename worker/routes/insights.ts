import { Hono, type Context } from 'hono';
import { rebuildTraceLabels } from '../data/trace-labels';
import { actor } from '../datasets/service';
import { calibrate } from '../insights/calibration';
import { allPairs, headlinePairs, loadCalibration } from '../insights/calibration-data';
import { calibrationHistory } from '../insights/calibration-history';
import { exportToDataset, findDisagreements, routeToQueue } from '../insights/closed-loop';
import { counts, describe } from '../insights/disagreements';
import { listEvaluators, listVerdictFields } from '../insights/evaluators';
import { Forbidden } from '../lib/errors';
import { jsonBody } from '../lib/validate';
import { authenticate, requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import agreement from './insights-agreement';
import segments from './insights-segments';
import {
  CalibrationHistoryParams,
  CalibrationParams,
  DisagreementsParams,
  ExportDisagreementsBody,
  RouteDisagreementsBody,
  calibrationFromBody,
  type CalibrationHistoryResponse,
  type DisagreementsResponse,
  type EvaluatorsResponse,
} from '../schemas/insights';

/** Query params as zod expects them: a repeated key (e.g. `eval`) becomes an array. */
function queryObject(c: Context): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
}

/** Admin role, or an API key with the admin scope. */
function isAdmin(c: Context<AppEnv>): boolean {
  const p = c.get('principal');
  return p.kind === 'key' ? p.scopes.includes('admin') : c.get('role') === 'admin';
}

/** Analyses over a project's signals and reviews, and the calibration's closed loop; agreement, trends and compare mount here under one authentication. */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/evaluators', requireAccess('read'), async (c) => {
    const projectId = c.get('projectId');
    const [evaluators, fields] = await Promise.all([listEvaluators(c.get('shard'), projectId), listVerdictFields(c.get('shard'), projectId)]);
    return c.json({ evaluators, fields } satisfies EvaluatorsResponse);
  })
  .get('/calibration', requireAccess('read'), async (c) => {
    const data = await loadCalibration(c.get('shard'), c.get('projectId'), CalibrationParams.parse(queryObject(c)));
    return c.json(calibrate(data.q, data.positive, data.evaluatorPositive, headlinePairs(data)));
  })
  // Rebuilds the project's materialized labels (trace_labels) from its annotations and adjudications, for
  // data written to D1 behind Sieve's back (reads rebuild by themselves after an upgrade). A large project
  // takes several calls: repeat while `done` is false.
  .post('/labels/rebuild', requireAccess('admin'), async (c) => c.json(await rebuildTraceLabels(c.get('shard'), c.get('projectId'))))
  .get('/calibration/history', requireAccess('read'), async (c) => {
    const params = CalibrationHistoryParams.parse(queryObject(c));
    const data = await loadCalibration(c.get('shard'), c.get('projectId'), params, { starts: true });
    const { q } = data;
    const body: CalibrationHistoryResponse = {
      evaluator: q.evaluator,
      field: q.field,
      positive: data.positive,
      direction: q.direction,
      bucket: params.bucket,
      bucketBy: 'trace_start',
      thresholdSource: q.threshold === undefined ? 'bestF1PerVersion' : 'query',
      versions: calibrationHistory(allPairs(data), q, params.bucket),
    };
    return c.json(body);
  })
  .get('/calibration/disagreements', requireAccess('read'), async (c) => {
    const { cursor, limit, ...params } = DisagreementsParams.parse(queryObject(c));
    const projectId = c.get('projectId');
    const { data, list, decision } = await findDisagreements(c.get('shard'), projectId, params);
    const offset = cursor === undefined ? 0 : Number(cursor);
    const page = list.slice(offset, offset + limit);
    const body: DisagreementsResponse = {
      evaluator: data.q.evaluator,
      field: data.q.field,
      positive: data.positive,
      basis: decision.basis,
      threshold: decision.threshold,
      thresholdSource: decision.thresholdSource,
      paired: decision.judged.length,
      total: list.length,
      counts: counts(list),
      data: await describe(c.get('shard'), projectId, data.q.evaluator, data.evaluatorPositive, page),
      nextCursor: offset + limit < list.length ? String(offset + limit) : null,
    };
    return c.json(body);
  })
  // Adding items to a queue is an admin's action, as through /queues/:id/items.
  .post('/calibration/disagreements/queue', requireAccess('admin'), async (c) => {
    const body = await jsonBody(c, RouteDisagreementsBody);
    return c.json(await routeToQueue(scopedEnv(c), c.get('projectId'), calibrationFromBody(body), body.queueId, body.limit));
  })
  // Reviewers curate dataset records; creating a dataset is for admins, as through /datasets.
  .post('/calibration/disagreements/dataset', requireAccess('review'), async (c) => {
    const body = await jsonBody(c, ExportDisagreementsBody);
    if (body.name !== undefined && !isAdmin(c)) throw new Forbidden('Only project admins can create a dataset; pick an existing one (datasetId).');
    const target = { datasetId: body.datasetId, name: body.name };
    const result = await exportToDataset(scopedEnv(c), c.get('projectId'), calibrationFromBody(body), target, body.limit, actor(c.get('principal')));
    return c.json(result, result.created ? 201 : 200);
  })
  .route('/', agreement)
  .route('/', segments);

export default routes;
export type InsightsRoutes = typeof routes;
