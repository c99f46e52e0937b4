import { Hono } from 'hono';
import { getTraceSummary, listSpanPointers, listTraces } from '../data/trace-index';
import { readSpans } from '../ingest/payloads';
import { NotFound } from '../lib/errors';
import { params, query } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { ListTracesQuery, TraceIdParam, type TraceDetailResponse } from '../schemas/traces';
import { toSpanDetail } from '../semconv/span-detail';

const routes = new Hono<AppEnv>()
  .use(authenticate, requireAccess('read'))
  .get('/', async (c) => {
    const q = query(c, ListTracesQuery);
    return c.json(await listTraces(c.env.DB, c.get('projectId'), q));
  })
  .get('/:traceId', async (c) => {
    const traceId = params(c, TraceIdParam).traceId.toLowerCase();
    const projectId = c.get('projectId');
    const [trace, pointers] = await Promise.all([
      getTraceSummary(c.env.DB, projectId, traceId),
      listSpanPointers(c.env.DB, projectId, traceId),
    ]);
    if (!trace) throw new NotFound('Trace');
    const spans = await readSpans(c.env.PAYLOADS, pointers);
    const body: TraceDetailResponse = { trace, spans: spans.map(toSpanDetail) };
    return c.json(body);
  });

export default routes;
export type TraceRoutes = typeof routes;
