import { Hono } from 'hono';
import { createDataset, deleteDataset, deleteTag, getDataset, listDatasets, listVersions, putTag, updateDataset } from '../data/datasets';
import { deleteExportFiles } from '../datasets/export-jobs';
import { actor, loadDataset } from '../datasets/service';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import { jsonBody, params } from '../lib/validate';
import { authenticate, requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import type { Page } from '../schemas/common';
import { CreateDatasetBody, DatasetIdParam, PutTagBody, TagParam, UpdateDatasetBody, type DatasetResponse, type VersionResponse } from '../schemas/datasets';
import files from './dataset-files';
import records from './dataset-records';

/**
 * Datasets: everyone in the project reads and exports them; reviewers curate records and tags;
 * admins create, rename and delete datasets. `authenticate` here covers the mounted routes too.
 */
const routes = new Hono<AppEnv>()
  .use(authenticate)
  .get('/', requireAccess('read'), async (c) => {
    const body: Page<DatasetResponse> = { data: await listDatasets(getDb(c.get('shard')), { projectId: c.get('projectId') }), nextCursor: null };
    return c.json(body);
  })
  .post('/', requireAccess('admin'), async (c) => {
    const input = await jsonBody(c, CreateDatasetBody);
    return c.json(await createDataset(getDb(c.get('shard')), { projectId: c.get('projectId'), input, createdBy: actor(c.get('principal')) }), 201);
  })
  .get('/:datasetId', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const dataset = await getDataset(getDb(c.get('shard')), { projectId: c.get('projectId'), datasetId });
    if (!dataset) throw new NotFound('Dataset');
    return c.json(dataset);
  })
  .patch('/:datasetId', requireAccess('admin'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const input = await jsonBody(c, UpdateDatasetBody);
    const dataset = await updateDataset(getDb(c.get('shard')), { projectId: c.get('projectId'), datasetId, input });
    if (!dataset) throw new NotFound('Dataset');
    return c.json(dataset);
  })
  .delete('/:datasetId', requireAccess('admin'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const scope = { projectId: c.get('projectId'), datasetId };
    if (!(await deleteDataset(c.get('shard'), scope))) throw new NotFound('Dataset');
    c.executionCtx.waitUntil(deleteExportFiles(scopedEnv(c), scope).catch(() => undefined));
    return c.body(null, 204);
  })
  .get('/:datasetId/versions', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    await loadDataset(scopedEnv(c), c.get('projectId'), datasetId);
    const body: Page<VersionResponse> = { data: await listVersions(getDb(c.get('shard')), { projectId: c.get('projectId'), datasetId }), nextCursor: null };
    return c.json(body);
  })
  .put('/:datasetId/tags/:tag', requireAccess('review'), async (c) => {
    const { datasetId, tag } = params(c, TagParam);
    const { version } = await jsonBody(c, PutTagBody);
    const dataset = await loadDataset(scopedEnv(c), c.get('projectId'), datasetId);
    if (version > dataset.version) throw new NotFound(`Version ${version}`);
    await putTag(getDb(c.get('shard')), { projectId: c.get('projectId'), datasetId, tag, version, createdBy: actor(c.get('principal')) });
    return c.json({ tag, version });
  })
  .delete('/:datasetId/tags/:tag', requireAccess('review'), async (c) => {
    const { datasetId, tag } = params(c, TagParam);
    if (!(await deleteTag(getDb(c.get('shard')), { projectId: c.get('projectId'), datasetId, tag }))) throw new NotFound('Tag');
    return c.body(null, 204);
  })
  .route('/:datasetId/records', records)
  .route('/:datasetId', files);

export default routes;
export type DatasetRoutes = typeof routes;
