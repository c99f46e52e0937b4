import { Hono } from 'hono';
import { queueAgreement } from '../insights/agreement';
import { requireAccess, type AppEnv } from '../middleware/auth';
import { AgreementQuery } from '../schemas/insights-agreement';

/** Query params as zod expects them: a repeated key (`eval=…&eval=…`) becomes an array, as in the explorer. */
const queryObject = (all: Record<string, string[]>) => Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.length > 1 ? v : v[0]]));

/**
 * Reviewer agreement (mounted at `/api/v1/insights`). Authentication is per route: a `use` here
 * would run again for every other insights route mounted on the same prefix.
 */
/** Mounted by routes/insights.ts, which authenticates. */
const routes = new Hono<AppEnv>().get('/agreement', requireAccess('read'), async (c) => {
  const q = AgreementQuery.parse(queryObject(c.req.queries()));
  return c.json(await queueAgreement(c.get('shard'), c.get('projectId'), q));
});

export default routes;
export type InsightsAgreementRoutes = typeof routes;
