import { Hono } from 'hono';
import { getQueueWithFields } from '../data/queues';
import { getDb } from '../db/client';
import { calibrate, defaultPositive, evaluatorResults, humanLabels } from '../insights/calibration';
import { NotFound } from '../lib/errors';
import { query } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { CalibrationQuery } from '../schemas/insights';

/** Read-only analyses over a project's signals and reviews. */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/calibration', requireAccess('read'), async (c) => {
    const q = query(c, CalibrationQuery);
    const projectId = c.get('projectId');
    if (q.queueId !== undefined && !(await getQueueWithFields(getDb(c.env.DB), { projectId, queueId: q.queueId }))) throw new NotFound('Queue');
    const labels = await humanLabels(c.env.DB, projectId, q.field, q.queueId);
    const positive = q.positive ?? defaultPositive(labels);
    const results = await evaluatorResults(c.env.DB, projectId, q, positive);
    return c.json(calibrate(q, positive, results, labels));
  });

export default routes;
export type InsightsRoutes = typeof routes;
