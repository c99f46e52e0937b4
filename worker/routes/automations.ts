import { Hono } from 'hono';
import { z } from 'zod';
import { BackfillBody, createRule, getRule, removeRule, ruleDetail, startBackfill, updateRule } from '../automations/service';
import { previewRule } from '../automations/preview';
import { listRules, findBackfill, ruleIdInUse } from '../data/automations';
import { dataBindings, shardDb } from '../data/shards';
import { getDb } from '../db/client';
import { automationBackfills } from '../db/automations';
import { idTaken, NotFound } from '../lib/errors';
import { jsonBody } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv, type Principal, scopedEnv } from '../middleware/auth';
import { CreateRuleBody, PreviewBody, UpdateRuleBody } from '../schemas/automations';
import { and, eq } from 'drizzle-orm';
import { backfillView, ruleView } from '../automations/views';

const by = (p: Principal) => (p.kind === 'user' ? p.userId : `key:${p.keyId}`);
const CreateBody = CreateRuleBody.and(z.object({ id: z.string().uuid().optional() }));

const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/', requireAccess('read'), async (c) => {
    const rules = await listRules(getDb(c.get('shard')), c.get('projectId'));
    return c.json({ data: await Promise.all(rules.map((r) => ruleView(scopedEnv(c), r))), nextCursor: null });
  })
  .post('/', requireAccess('admin'), async (c) => {
    const body = await jsonBody(c, CreateBody);
    // Rule ids are unique per database; a client-supplied one is checked on every shard, so it answers alike wherever it is taken.
    if (body.id && (await ruleIdInUse(dataBindings(c.env).map((b) => shardDb(c.env, b)), body.id))) throw idTaken('rule');
    const rule = await createRule(scopedEnv(c), c.get('projectId'), body, by(c.get('principal')));
    return c.json(await ruleView(scopedEnv(c), rule), 201);
  })
  .post('/preview', requireAccess('read'), async (c) => c.json(await previewRule(scopedEnv(c), c.get('projectId'), await jsonBody(c, PreviewBody))))
  .get('/:ruleId', requireAccess('read'), async (c) => {
    const days = Math.min(90, Math.max(1, Number(c.req.query('days') ?? 7) || 7));
    const { rule, stats, backfills } = await ruleDetail(scopedEnv(c), c.get('projectId'), c.req.param('ruleId'), days);
    return c.json({ ...(await ruleView(scopedEnv(c), rule)), stats: stats.map(({ ruleId: _, bucketStart, ...s }) => ({ bucket: new Date(bucketStart).toISOString(), ...s })), backfills: backfills.map(backfillView) });
  })
  .patch('/:ruleId', requireAccess('admin'), async (c) => {
    const rule = await updateRule(scopedEnv(c), c.get('projectId'), c.req.param('ruleId'), await jsonBody(c, UpdateRuleBody), by(c.get('principal')));
    return c.json(await ruleView(scopedEnv(c), rule));
  })
  .delete('/:ruleId', requireAccess('admin'), async (c) => {
    await removeRule(scopedEnv(c), c.get('projectId'), c.req.param('ruleId'));
    return c.body(null, 204);
  })
  .post('/:ruleId/backfills', requireAccess('admin'), async (c) => {
    const range = await jsonBody(c, BackfillBody);
    const id = await startBackfill(scopedEnv(c), c.get('projectId'), c.req.param('ruleId'), range, by(c.get('principal')));
    const job = await findBackfill(getDb(c.get('shard')), c.get('projectId'), c.req.param('ruleId'), id);
    return c.json(backfillView(job!), 202);
  })
  .get('/:ruleId/backfills/:jobId', requireAccess('read'), async (c) => {
    await getRule(scopedEnv(c), c.get('projectId'), c.req.param('ruleId'));
    const job = await findBackfill(getDb(c.get('shard')), c.get('projectId'), c.req.param('ruleId'), c.req.param('jobId'));
    if (!job) throw new NotFound('Backfill');
    return c.json(backfillView(job));
  })
  .post('/:ruleId/backfills/:jobId/cancel', requireAccess('admin'), async (c) => {
    const db = getDb(c.get('shard'));
    const job = await findBackfill(db, c.get('projectId'), c.req.param('ruleId'), c.req.param('jobId'));
    if (!job) throw new NotFound('Backfill');
    await db
      .update(automationBackfills)
      .set({ status: 'cancelled', updatedAt: Date.now() })
      .where(and(eq(automationBackfills.id, job.id), eq(automationBackfills.status, 'running')));
    return c.json(backfillView((await findBackfill(db, c.get('projectId'), job.ruleId, job.id))!));
  });

export default routes;
export type AutomationRoutes = typeof routes;
