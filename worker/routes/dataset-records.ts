import { Hono } from 'hono';
import { listRecords, liveRecord } from '../data/dataset-reads';
import { toRecordResponse } from '../datasets/formats';
import { addRecordsFromQueue } from '../datasets/from-queue';
import { addRecordsFromTraces, filterFromQueryString, traceIdsMatching } from '../datasets/from-traces';
import { actor, addRecords, editRecord, loadDataset, removeRecords, resolveVersion } from '../datasets/service';
import { NotFound } from '../lib/errors';
import { jsonBody, params, query } from '../lib/validate';
import { requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import type { Page } from '../schemas/common';
import { AddFromQueueBody, AddFromTracesBody, AddRecordsBody, DatasetIdParam, EditRecordBody, ListRecordsQuery, RecordParam, RemoveRecordsBody, type RecordResponse } from '../schemas/datasets';

/** A dataset's records (mounted under `/datasets/:datasetId/records`, whose parent authenticates). */
const routes = new Hono<AppEnv>()
  .get('/', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const q = query(c, ListRecordsQuery);
    const projectId = c.get('projectId');
    const dataset = await loadDataset(scopedEnv(c), projectId, datasetId);
    const version = await resolveVersion(scopedEnv(c), dataset, q);
    const page = await listRecords(c.get('shard'), { projectId, datasetId, ...q, version });
    const body: Page<RecordResponse> & { version: number } = { data: page.rows.map(toRecordResponse), nextCursor: page.nextCursor, version };
    return c.json(body);
  })
  .post('/', requireAccess('review'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const { records } = await jsonBody(c, AddRecordsBody);
    return c.json(await addRecords(scopedEnv(c), { projectId: c.get('projectId'), datasetId, records, addedBy: actor(c.get('principal')) }));
  })
  .post('/from-traces', requireAccess('review'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const body = await jsonBody(c, AddFromTracesBody);
    const projectId = c.get('projectId');
    await loadDataset(scopedEnv(c), projectId, datasetId);
    const filter = body.filter ?? (body.query !== undefined ? filterFromQueryString(body.query) : undefined);
    const traceIds = body.traceIds ?? (await traceIdsMatching(c.get('shard'), projectId, filter!));
    const opts = { allowDuplicates: body.allowDuplicates, addedBy: actor(c.get('principal')) };
    return c.json(await addRecordsFromTraces(scopedEnv(c), projectId, datasetId, traceIds, body.mapping, opts));
  })
  .post('/from-queue', requireAccess('review'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const body = await jsonBody(c, AddFromQueueBody);
    return c.json(await addRecordsFromQueue(scopedEnv(c), c.get('projectId'), datasetId, body, actor(c.get('principal'))));
  })
  .post('/remove', requireAccess('review'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const { recordIds } = await jsonBody(c, RemoveRecordsBody);
    return c.json(await removeRecords(scopedEnv(c), { projectId: c.get('projectId'), datasetId, recordIds, removedBy: actor(c.get('principal')) }));
  })
  .get('/:recordId', requireAccess('read'), async (c) => {
    const { datasetId, recordId } = params(c, RecordParam);
    const record = await liveRecord(c.get('shard'), { projectId: c.get('projectId'), datasetId, recordId });
    if (!record) throw new NotFound('Record');
    return c.json(toRecordResponse(record));
  })
  .patch('/:recordId', requireAccess('review'), async (c) => {
    const { datasetId, recordId } = params(c, RecordParam);
    const patch = await jsonBody(c, EditRecordBody);
    return c.json(await editRecord(scopedEnv(c), { projectId: c.get('projectId'), datasetId, recordId, patch, editedBy: actor(c.get('principal')) }));
  })
  .delete('/:recordId', requireAccess('review'), async (c) => {
    const { datasetId, recordId } = params(c, RecordParam);
    const result = await removeRecords(scopedEnv(c), { projectId: c.get('projectId'), datasetId, recordIds: [recordId], removedBy: actor(c.get('principal')) });
    if (!result.removed.length) throw new NotFound('Record');
    return c.json(result);
  });

export default routes;
export type DatasetRecordRoutes = typeof routes;
