import { Hono } from 'hono';
import { exportStream } from '../datasets/export';
import { downloadExport, getExportJob, listExportJobs, startExportJob } from '../datasets/export-jobs';
import { EXPORT_CONTENT_TYPE, exportFilename } from '../datasets/formats';
import { importRecords } from '../datasets/importer';
import { actor, loadDataset, resolveVersion } from '../datasets/service';
import { versionRecordCount } from '../data/dataset-reads';
import { readBody } from '../ingest/body';
import { BadRequest, UnsupportedMediaType } from '../lib/errors';
import { jsonBody, params, query } from '../lib/validate';
import { requireAccess, scopedEnv, type AppEnv } from '../middleware/auth';
import type { Page } from '../schemas/common';
import { CreateExportBody, DatasetIdParam, ExportIdParam, ExportQuery, ImportQuery, MAX_IMPORT_BYTES, type ExportJobResponse } from '../schemas/datasets';

const IMPORT_TYPES: Record<string, 'csv' | 'jsonl'> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/json-lines': 'jsonl',
  'application/jsonlines': 'jsonl',
};

/** A dataset's files: import, streamed export, and exports kept in R2 (mounted under `/datasets/:datasetId`). */
const routes = new Hono<AppEnv>()
  .post('/import', requireAccess('review'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    await loadDataset(scopedEnv(c), c.get('projectId'), datasetId);
    const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
    const format = query(c, ImportQuery).format ?? IMPORT_TYPES[type];
    if (!format) throw new UnsupportedMediaType('Send the file as text/csv or application/x-ndjson, or name it with ?format=csv|jsonl.');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(await readBody(c.req.raw, MAX_IMPORT_BYTES));
    } catch (err) {
      if (err instanceof TypeError) throw new BadRequest('The file is not UTF-8 text.');
      throw err;
    }
    return c.json(await importRecords(scopedEnv(c), { projectId: c.get('projectId'), datasetId, text, format, addedBy: actor(c.get('principal')) }));
  })
  .get('/export', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const q = query(c, ExportQuery);
    const projectId = c.get('projectId');
    const dataset = await loadDataset(scopedEnv(c), projectId, datasetId);
    const version = await resolveVersion(scopedEnv(c), dataset, q);
    const count = await versionRecordCount(c.get('shard'), { projectId, datasetId, version });
    return new Response(exportStream(c.get('shard'), { projectId, datasetId, version, format: q.format }), {
      headers: {
        'content-type': EXPORT_CONTENT_TYPE[q.format],
        'content-disposition': `attachment; filename="${exportFilename(dataset.name, version, q.format)}"`,
        'x-sieve-dataset-version': String(version),
        'x-sieve-record-count': String(count ?? 0),
      },
    });
  })
  .post('/exports', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    const body = await jsonBody(c, CreateExportBody);
    const dataset = await loadDataset(scopedEnv(c), c.get('projectId'), datasetId);
    const version = await resolveVersion(scopedEnv(c), dataset, body);
    const job = await startExportJob(scopedEnv(c), c.executionCtx, { dataset, version, format: body.format, createdBy: actor(c.get('principal')) });
    return c.json(job, 202);
  })
  .get('/exports', requireAccess('read'), async (c) => {
    const { datasetId } = params(c, DatasetIdParam);
    await loadDataset(scopedEnv(c), c.get('projectId'), datasetId);
    const body: Page<ExportJobResponse> = { data: await listExportJobs(scopedEnv(c), { projectId: c.get('projectId'), datasetId }), nextCursor: null };
    return c.json(body);
  })
  .get('/exports/:exportId', requireAccess('read'), async (c) => {
    const s = params(c, ExportIdParam);
    return c.json(await getExportJob(scopedEnv(c), c.executionCtx, { projectId: c.get('projectId'), ...s }));
  })
  .get('/exports/:exportId/download', requireAccess('read'), async (c) => {
    const s = params(c, ExportIdParam);
    return downloadExport(scopedEnv(c), { projectId: c.get('projectId'), ...s });
  });

export default routes;
export type DatasetFileRoutes = typeof routes;
