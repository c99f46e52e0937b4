import { Hono, type Context } from 'hono';
import { getQueueWithFields } from '../data/queues';
import { getDb } from '../db/client';
import { compare } from '../insights/compare';
import { dimensionValues } from '../insights/dimension-values';
import { sharedFilter, whereOf } from '../insights/segments';
import { trends } from '../insights/trends';
import { NotFound } from '../lib/errors';
import { requireAccess, type AppEnv } from '../middleware/auth';
import { CompareQuery, DimensionsQuery, TrendsQuery, type DimensionsResponse } from '../schemas/insights-segments';

/** Query params as zod expects them: a repeated key (the explorer's `eval`) becomes an array. */
function queryObject(c: Context): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
}

/** A queue named in the query must be one of the caller's project; another project's is 404. */
async function checkQueue(c: Context<AppEnv>, queueId: string | undefined): Promise<void> {
  if (queueId !== undefined && !(await getQueueWithFields(getDb(c.get('shard')), { projectId: c.get('projectId'), queueId }))) throw new NotFound('Queue');
}

/** Failure-pattern trends and segment comparison over the effective labels; read-only. */
/** Mounted by routes/insights.ts, which authenticates. */
const routes = new Hono<AppEnv>()
  .get('/trends', requireAccess('read'), async (c) => {
    const q = TrendsQuery.parse(queryObject(c));
    await checkQueue(c, q.queueId);
    return c.json(await trends(c.get('shard'), c.get('projectId'), q, Date.now()));
  })
  .get('/compare', requireAccess('read'), async (c) => {
    const q = CompareQuery.parse(queryObject(c));
    await checkQueue(c, q.queueId);
    return c.json(await compare(c.get('shard'), c.get('projectId'), q));
  })
  .get('/dimensions', requireAccess('read'), async (c) => {
    const q = DimensionsQuery.parse(queryObject(c));
    await checkQueue(c, q.queueId);
    const projectId = c.get('projectId');
    const filter = sharedFilter(q);
    const dimensions = await dimensionValues(c.get('shard'), projectId, whereOf(projectId, filter), q.queueId);
    return c.json({ filter, queueId: q.queueId ?? null, dimensions } satisfies DimensionsResponse);
  });

export default routes;
export type InsightsSegmentsRoutes = typeof routes;
