import { Hono } from 'hono';
import { createLabelSchema, ensureDefaultSchema, getLabelSchema, listLabelSchemas, updateLabelSchema } from '../data/label-schemas';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import { jsonBody, params } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv, type Principal } from '../middleware/auth';
import { CreateLabelSchemaBody, SchemaIdParam, UpdateLabelSchemaBody, type LabelSchemaResponse } from '../schemas/label-schemas';
import type { Page } from '../schemas/common';

const author = (p: Principal) => (p.kind === 'user' ? p.userId : `key:${p.keyId}`);

/** Label schemas: everyone reads them (reviewers fill them in), admins create and edit them. */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/', requireAccess('read'), async (c) => {
    const db = getDb(c.get('shard'));
    const projectId = c.get('projectId');
    // The starter schema appears on first look, once per project (idempotent).
    await ensureDefaultSchema(db, { projectId });
    const body: Page<LabelSchemaResponse> = { data: await listLabelSchemas(db, { projectId }), nextCursor: null };
    return c.json(body);
  })
  .post('/', requireAccess('admin'), async (c) => {
    const input = await jsonBody(c, CreateLabelSchemaBody);
    const schema = await createLabelSchema(getDb(c.get('shard')), { ...input, projectId: c.get('projectId'), createdBy: author(c.get('principal')) });
    return c.json(schema, 201);
  })
  .get('/:schemaId', requireAccess('read'), async (c) => {
    const { schemaId } = params(c, SchemaIdParam);
    const schema = await getLabelSchema(getDb(c.get('shard')), { projectId: c.get('projectId'), schemaId });
    if (!schema) throw new NotFound('Label schema');
    return c.json(schema);
  })
  .patch('/:schemaId', requireAccess('admin'), async (c) => {
    const { schemaId } = params(c, SchemaIdParam);
    const input = await jsonBody(c, UpdateLabelSchemaBody);
    const schema = await updateLabelSchema(c.get('shard'), { ...input, projectId: c.get('projectId'), schemaId, createdBy: author(c.get('principal')) });
    if (!schema) throw new NotFound('Label schema');
    return c.json(schema);
  });

export default routes;
export type LabelSchemaRoutes = typeof routes;
