import { Hono } from 'hono';
import { z } from 'zod';
import { query, params } from '../lib/validate';
import { authenticate, requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import { replayDeadLetter } from '../ops/replay';
import { opsStatus } from '../ops/status';
import { OpsStatusQuery } from '../schemas/ops';

const DeadLetterParams = z.object({ deadLetterId: z.string().min(1).max(128) });

/** The operations page's API: this project's ingest, queue and automation health, admins only. */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/status', requireAccess('admin'), async (c) => {
    const { range } = query(c, OpsStatusQuery);
    return c.json(await opsStatus(c.env, c.get('shard'), c.get('projectId'), range));
  })
  .post('/dead-letters/:deadLetterId/replay', requireAccess('admin'), async (c) => {
    const { deadLetterId } = params(c, DeadLetterParams);
    return c.json(await replayDeadLetter(scopedEnv(c), c.get('projectId'), deadLetterId));
  });

export default routes;
export type OpsRoutes = typeof routes;
