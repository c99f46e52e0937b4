import { Hono } from 'hono';
import { jsonBody, params } from '../lib/validate';
import { requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import { ItemParam, QueueIdParam, ReviewBody, SkipBody } from '../schemas/queues';
import { loadForReview } from '../queues/review';
import { queueStub, unwrap } from '../queues/service';

/**
 * Reviewing (mounted under `/queues/:queueId`, whose parent authenticates): claim, autosave, submit,
 * edit, skip, release. Middleware stays per route: a `use` here would cover every `/queues/:queueId/*`.
 */
const routes = new Hono<AppEnv>()
  .post('/claim', requireAccess('review'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).claim(cfg, reviewer)));
  })
  .put('/items/:itemId/draft', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    const { values, notes } = await jsonBody(c, ReviewBody);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).saveDraft(cfg, reviewer, itemId, values, notes ?? null)));
  })
  .post('/items/:itemId/submit', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    const { values, notes } = await jsonBody(c, ReviewBody);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).submit(cfg, reviewer, itemId, values, notes ?? null)));
  })
  .put('/items/:itemId/submission', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    const { values, notes } = await jsonBody(c, ReviewBody);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).editSubmission(cfg, reviewer, itemId, values, notes ?? null)));
  })
  .post('/items/:itemId/skip', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    const { reason } = await jsonBody(c, SkipBody);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).skip(cfg, reviewer, itemId, reason)));
  })
  .post('/items/:itemId/release', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg, reviewer } = await loadForReview(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'));
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).release(cfg, reviewer, itemId)));
  });

export default routes;
export type QueueReviewRoutes = typeof routes;
