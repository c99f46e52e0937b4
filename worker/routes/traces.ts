import { Hono } from 'hono';
import { getTraceDetail } from '../data/trace-detail';
import { listTraces } from '../data/trace-index';
import { NotFound } from '../lib/errors';
import { params } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { filterFromParams, TraceQueryParams } from '../schemas/filters';
import { TraceIdParam } from '../schemas/traces';

/** Query params as zod expects them: a repeated key (e.g. `eval`) becomes an array. */
function queryObject(all: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
}

const routes = new Hono<AppEnv>()
  .use(authenticate, requireAccess('read'))
  .get('/', async (c) => {
    const { filter, page } = filterFromParams(TraceQueryParams.parse(queryObject(c.req.queries())));
    return c.json(await listTraces(c.get('shard'), c.get('projectId'), filter, page));
  })
  .get('/:traceId', async (c) => {
    const traceId = params(c, TraceIdParam).traceId.toLowerCase();
    const body = await getTraceDetail(c.get('shard'), c.env.PAYLOADS, c.get('projectId'), traceId);
    if (!body) throw new NotFound('Trace');
    return c.json(body);
  });

export default routes;
export type TraceRoutes = typeof routes;
