import { Hono } from 'hono';
import { createKey, findKey, listKeys, revokeKey } from '../data/api-keys';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import { jsonBody, params } from '../lib/validate';
import { revalidateLiveQueues } from '../queues/revoke';
import { authenticate, forgetCachedKeys, requireAccess, type AppEnv } from '../middleware/auth';
import { ApiKeyParam, CreateApiKeyBody, type ApiKeyListResponse, type CreatedApiKeyResponse } from '../schemas/projects';

/** API keys of one project; mounted under `/projects/:projectId/api-keys`, admins only. */
const routes = new Hono<AppEnv>()
  .use(authenticate, requireAccess('admin', { param: 'projectId' }))
  .get('/', async (c) => {
    const body: ApiKeyListResponse = { data: await listKeys(getDb(c.env.DB), { projectId: c.get('projectId') }), nextCursor: null };
    return c.json(body);
  })
  .post('/', async (c) => {
    const { name, scopes } = await jsonBody(c, CreateApiKeyBody);
    const db = getDb(c.env.DB);
    const projectId = c.get('projectId');
    const p = c.get('principal');
    const created = await createKey(db, { projectId, name, scopes, createdBy: p.kind === 'user' ? p.userId : null });
    const row = await findKey(db, { projectId, keyId: created.id });
    if (!row) throw new NotFound('API key');
    const body: CreatedApiKeyResponse = { ...row, key: created.key };
    return c.json(body, 201);
  })
  .delete('/:keyId', async (c) => {
    const { keyId } = params(c, ApiKeyParam);
    const revoked = await revokeKey(getDb(c.env.DB), { projectId: c.get('projectId'), keyId });
    if (!revoked) throw new NotFound('API key');
    // Other isolates drop the key within the cache's 30 s; this one must refuse it from the next request.
    forgetCachedKeys();
    c.executionCtx.waitUntil(revalidateLiveQueues(c.env, [c.get('projectId')]).catch(() => undefined));
    return c.json(revoked);
  });

export default routes;
export type ApiKeyRoutes = typeof routes;
