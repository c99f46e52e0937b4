import { Hono } from 'hono';
import { listQueues } from '../data/queues';
import { getDb } from '../db/client';
import { Forbidden } from '../lib/errors';
import { jsonBody, params, query } from '../lib/validate';
import { authenticate, requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import type { Page } from '../schemas/common';
import { CreateQueueBody, ExportQuery, ListQueuesQuery, QueueIdParam, UpdateQueueBody, type QueueResponse } from '../schemas/queues';
import { exportAnnotations } from '../queues/export';
import { connectLive, reviewerOf } from '../queues/review';
import { archiveQueue, createQueue, loadQueue, queueStub, unwrap, updateQueue } from '../queues/service';
import items from './queue-items';
import review from './queue-review';

/**
 * Annotation queues: everyone in the project sees them, admins create, change and export them.
 * `authenticate` here covers the mounted item and review routes too.
 */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/', requireAccess('read'), async (c) => {
    const { status } = query(c, ListQueuesQuery);
    const body: Page<QueueResponse> = { data: await listQueues(getDb(c.get('shard')), { projectId: c.get('projectId'), status }), nextCursor: null };
    return c.json(body);
  })
  .post('/', requireAccess('admin'), async (c) => {
    const input = await jsonBody(c, CreateQueueBody);
    return c.json(await createQueue(scopedEnv(c), c.get('projectId'), input, reviewerOf(c.get('principal')).id), 201);
  })
  .get('/:queueId', requireAccess('read'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const { queue, cfg } = await loadQueue(scopedEnv(c), c.get('projectId'), queueId);
    const { reviewers: _r, ...progress } = unwrap(await queueStub(scopedEnv(c), queueId).progress(cfg));
    return c.json({ ...queue, progress });
  })
  .patch('/:queueId', requireAccess('admin'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const input = await jsonBody(c, UpdateQueueBody);
    return c.json(await updateQueue(scopedEnv(c), c.get('projectId'), queueId, input));
  })
  .post('/:queueId/archive', requireAccess('admin'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    return c.json(await archiveQueue(scopedEnv(c), c.get('projectId'), queueId));
  })
  .get('/:queueId/progress', requireAccess('read'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const { cfg } = await loadQueue(scopedEnv(c), c.get('projectId'), queueId);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).progress(cfg)));
  })
  .get('/:queueId/export', requireAccess('admin'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const { format } = query(c, ExportQuery);
    const { cfg } = await loadQueue(scopedEnv(c), c.get('projectId'), queueId);
    const stream = exportAnnotations(c.get('shard'), cfg, format, cfg.fields);
    const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
    const disposition = `attachment; filename="queue-${queueId}-annotations.${format}"`;
    return new Response(stream, { headers: { 'content-type': type, 'content-disposition': disposition } });
  })
  .get('/:queueId/live', requireAccess('review'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    // Browsers send cookies on cross-site WebSocket handshakes: only the app's own origin may connect.
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) throw new Forbidden('Cross-site WebSocket connection rejected.');
    return connectLive(scopedEnv(c), c.get('projectId'), queueId, c.get('principal'), c.req.header('upgrade'));
  })
  .route('/:queueId/items', items)
  .route('/:queueId', review);

export default routes;
export type QueueRoutes = typeof routes;
