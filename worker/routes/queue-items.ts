import { Hono } from 'hono';
import { adjudicate, itemAdjudication, removeAdjudication } from '../insights/adjudication';
import { jsonBody, params, query } from '../lib/validate';
import { requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import { AdjudicationBody, type ItemDetailResponse } from '../schemas/insights-agreement';
import { AddItemsBody, ItemParam, ListItemsQuery, QueueIdParam } from '../schemas/queues';
import { itemContext } from '../queues/review';
import { addItems, loadQueue, queueStub, unwrap } from '../queues/service';

/** A queue's items (mounted under `/queues/:queueId/items`, whose parent authenticates); an item is a trace, its id the trace id. */
const routes = new Hono<AppEnv>()
  .get('/', requireAccess('read'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const opts = query(c, ListItemsQuery);
    const { cfg } = await loadQueue(scopedEnv(c), c.get('projectId'), queueId);
    return c.json(unwrap(await queueStub(scopedEnv(c), queueId).listItems(cfg, opts)));
  })
  .post('/', requireAccess('admin'), async (c) => {
    const { queueId } = params(c, QueueIdParam);
    const { traceIds, restore } = await jsonBody(c, AddItemsBody);
    return c.json(await addItems(scopedEnv(c), c.get('projectId'), queueId, traceIds, { restore }));
  })
  .get('/:itemId', requireAccess('review'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const projectId = c.get('projectId');
    const [ctx, adjudication] = await Promise.all([itemContext(scopedEnv(c), projectId, queueId, itemId, c.get('principal')), itemAdjudication(scopedEnv(c), projectId, queueId, itemId)]);
    // A blind queue withholds others' labels until one's own review is in; the final label is one of them.
    const body: ItemDetailResponse = { ...ctx, adjudication: ctx.hidden ? null : adjudication };
    return c.json(body);
  })
  .delete('/:itemId', requireAccess('admin'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const { cfg } = await loadQueue(scopedEnv(c), c.get('projectId'), queueId);
    unwrap(await queueStub(scopedEnv(c), queueId).removeItem(cfg, itemId));
    return c.body(null, 204);
  })
  .put('/:itemId/adjudication', requireAccess('admin'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    const body = await jsonBody(c, AdjudicationBody);
    return c.json(await adjudicate(scopedEnv(c), c.get('projectId'), queueId, itemId, body, c.get('principal')));
  })
  .delete('/:itemId/adjudication', requireAccess('admin'), async (c) => {
    const { queueId, itemId } = params(c, ItemParam);
    await removeAdjudication(scopedEnv(c), c.get('projectId'), queueId, itemId);
    return c.body(null, 204);
  });

export default routes;
export type QueueItemRoutes = typeof routes;
