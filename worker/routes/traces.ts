import { Hono } from 'hono';
import { listSignals } from '../data/signals';
import { getTraceSummary, listSpanPointers, listTraces } from '../data/trace-index';
import { readSpans } from '../ingest/payloads';
import { NotFound } from '../lib/errors';
import { params } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { filterFromParams, TraceQueryParams } from '../schemas/filters';
import { TraceIdParam, type TraceDetailResponse } from '../schemas/traces';
import { toSpanDetail } from '../semconv/span-detail';

/** Query params as zod expects them: a repeated key (e.g. `eval`) becomes an array. */
function queryObject(all: Record<string, string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));
}

const routes = new Hono<AppEnv>()
  .use(authenticate, requireAccess('read'))
  .get('/', async (c) => {
    const { filter, page } = filterFromParams(TraceQueryParams.parse(queryObject(c.req.queries())));
    return c.json(await listTraces(c.env.DB, c.get('projectId'), filter, page));
  })
  .get('/:traceId', async (c) => {
    const traceId = params(c, TraceIdParam).traceId.toLowerCase();
    const projectId = c.get('projectId');
    const [trace, pointers, signals] = await Promise.all([
      getTraceSummary(c.env.DB, projectId, traceId),
      listSpanPointers(c.env.DB, projectId, traceId),
      listSignals(c.env.DB, projectId, traceId),
    ]);
    if (!trace) throw new NotFound('Trace');
    const spans = await readSpans(c.env.PAYLOADS, pointers);
    const body: TraceDetailResponse = { trace, ...signals, spans: spans.map(toSpanDetail) };
    return c.json(body);
  });

export default routes;
export type TraceRoutes = typeof routes;
