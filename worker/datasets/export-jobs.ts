import { and, desc, eq, lt } from 'drizzle-orm';
import { versionRecordCount } from '../data/dataset-reads';
import type { DatasetRow } from '../data/datasets';
import { getDb } from '../db/client';
import { datasetExports } from '../db/datasets';
import { Conflict, NotFound } from '../lib/errors';
import { iso, isoOrNull } from '../lib/time';
import type { ExportFormat, ExportJobResponse } from '../schemas/datasets';
import { LEASE_MS, runExportJob, type JobRow } from './export-writer';
import { EXPORT_CONTENT_TYPE, exportFilename } from './formats';
import type { ProjectEnv } from '../data/shards';

/**
 * Exports written to R2 with a multipart upload, so they can be downloaded again later. The job runs
 * after the response (waitUntil) for a bounded time; progress is saved in D1 after every part, and
 * a status poll that finds the job's lease expired resumes it from the last part (export-writer.ts).
 */

function toResponse(j: JobRow): ExportJobResponse {
  return {
    id: j.id,
    datasetId: j.datasetId,
    version: j.version,
    format: j.format,
    status: j.status,
    totalRecords: j.totalRecords,
    recordsWritten: j.recordsWritten,
    bytesWritten: j.bytesWritten,
    peakChunkBytes: j.peakChunkBytes,
    error: j.error,
    createdAt: iso(j.createdAt),
    completedAt: isoOrNull(j.completedAt),
  };
}

async function loadJob(env: Pick<ProjectEnv, 'shard'>, s: { projectId: string; datasetId: string; exportId: string }): Promise<JobRow> {
  const job = await getDb(env.shard)
    .select()
    .from(datasetExports)
    .where(and(eq(datasetExports.projectId, s.projectId), eq(datasetExports.datasetId, s.datasetId), eq(datasetExports.id, s.exportId)))
    .get();
  if (!job) throw new NotFound('Export');
  return job;
}

/** Creates the job (its row and its R2 multipart upload); `runExportJob` writes it. */
export async function createExportJob(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  s: { dataset: DatasetRow; version: number; format: ExportFormat; createdBy: string },
): Promise<JobRow> {
  const { dataset, version, format } = s;
  const id = crypto.randomUUID();
  const key = `exports/${dataset.projectId}/${dataset.id}/${id}/${exportFilename(dataset.name, version, format)}`;
  const upload = await env.PAYLOADS.createMultipartUpload(key, { httpMetadata: { contentType: EXPORT_CONTENT_TYPE[format] } });
  const now = Date.now();
  const total = (await versionRecordCount(env.shard, { projectId: dataset.projectId, datasetId: dataset.id, version })) ?? 0;
  const row: JobRow = {
    id, projectId: dataset.projectId, datasetId: dataset.id, version, format, status: 'running', r2Key: key, uploadId: upload.uploadId,
    parts: '[]', afterSeq: 0, skipBytes: 0, totalRecords: total, recordsWritten: 0, bytesWritten: 0, peakChunkBytes: 0, error: null,
    leaseUntil: now + LEASE_MS, createdBy: s.createdBy, createdAt: now, updatedAt: now, completedAt: null,
  };
  await getDb(env.shard).insert(datasetExports).values(row);
  return row;
}

/** Creates the job and writes it after the response. */
export async function startExportJob(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  s: { dataset: DatasetRow; version: number; format: ExportFormat; createdBy: string },
): Promise<ExportJobResponse> {
  const row = await createExportJob(env, s);
  ctx.waitUntil(runExportJob(env, row));
  return toResponse(row);
}

/** The job's status; a running job whose worker stopped (lease expired) is resumed here. */
export async function getExportJob(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  s: { projectId: string; datasetId: string; exportId: string },
): Promise<ExportJobResponse> {
  const job = await loadJob(env, s);
  const now = Date.now();
  if (job.status === 'running' && job.leaseUntil < now) {
    const claimed = await getDb(env.shard)
      .update(datasetExports)
      .set({ leaseUntil: now + LEASE_MS })
      .where(and(eq(datasetExports.id, job.id), lt(datasetExports.leaseUntil, now)))
      .returning({ id: datasetExports.id });
    if (claimed.length) ctx.waitUntil(runExportJob(env, job));
  }
  return toResponse(job);
}

/** The dataset's export jobs, newest first. */
export async function listExportJobs(env: Pick<ProjectEnv, 'shard'>, s: { projectId: string; datasetId: string }): Promise<ExportJobResponse[]> {
  const rows = await getDb(env.shard)
    .select()
    .from(datasetExports)
    .where(and(eq(datasetExports.projectId, s.projectId), eq(datasetExports.datasetId, s.datasetId)))
    .orderBy(desc(datasetExports.createdAt))
    .limit(50)
    .all();
  return rows.map(toResponse);
}

/** The finished export file as a download. */
export async function downloadExport(env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>, s: { projectId: string; datasetId: string; exportId: string }): Promise<Response> {
  const job = await loadJob(env, s);
  if (job.status !== 'done') throw new Conflict(job.status === 'failed' ? 'This export failed; start a new one.' : 'This export is still being written; try again when its status is done.');
  const obj = await env.PAYLOADS.get(job.r2Key);
  if (!obj) throw new NotFound('Export file');
  const filename = job.r2Key.slice(job.r2Key.lastIndexOf('/') + 1);
  return new Response(obj.body, {
    headers: { 'content-type': EXPORT_CONTENT_TYPE[job.format], 'content-disposition': `attachment; filename="${filename}"`, 'content-length': String(obj.size) },
  });
}

/** Deletes the dataset's export files from R2 (after the dataset itself is gone). */
export async function deleteExportFiles(env: Pick<Env, 'PAYLOADS'>, s: { projectId: string; datasetId: string }): Promise<void> {
  const prefix = `exports/${s.projectId}/${s.datasetId}/`;
  let cursor: string | undefined;
  do {
    const page = await env.PAYLOADS.list({ prefix, cursor });
    if (page.objects.length) await env.PAYLOADS.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
