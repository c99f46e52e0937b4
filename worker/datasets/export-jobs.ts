import { and, desc, eq, lt } from 'drizzle-orm';
import { versionRecordCount } from '../data/dataset-reads';
import type { DatasetRow } from '../data/datasets';
import { getDb } from '../db/client';
import { datasetExports } from '../db/datasets';
import { Conflict, NotFound } from '../lib/errors';
import { iso, isoOrNull } from '../lib/time';
import type { ExportFormat, ExportJobResponse } from '../schemas/datasets';
import { exportChunks } from './export';
import { EXPORT_CONTENT_TYPE, exportFilename } from './formats';

/**
 * Exports written to R2 with a multipart upload, so they can be downloaded again later. The job runs
 * after the response (waitUntil) for up to BUDGET_MS; progress is saved in D1 after every part, and
 * a status poll that finds the job's lease expired resumes it from the last part. Parts are 8 MiB
 * (R2 wants equal parts of at least 5 MiB but the last): about what the job holds in memory.
 */
const PART_BYTES = 8 * 1024 * 1024;
const LEASE_MS = 60_000;
const BUDGET_MS = 20_000;

type JobRow = typeof datasetExports.$inferSelect;
type Part = { partNumber: number; etag: string };

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

async function loadJob(env: Pick<Env, 'DB'>, s: { projectId: string; datasetId: string; exportId: string }): Promise<JobRow> {
  const job = await getDb(env.DB)
    .select()
    .from(datasetExports)
    .where(and(eq(datasetExports.projectId, s.projectId), eq(datasetExports.datasetId, s.datasetId), eq(datasetExports.id, s.exportId)))
    .get();
  if (!job) throw new NotFound('Export');
  return job;
}

/** Creates the job (its row and its R2 multipart upload); `runExportJob` writes it. */
export async function createExportJob(
  env: Pick<Env, 'DB' | 'PAYLOADS'>,
  s: { dataset: DatasetRow; version: number; format: ExportFormat; createdBy: string },
): Promise<JobRow> {
  const { dataset, version, format } = s;
  const id = crypto.randomUUID();
  const key = `exports/${dataset.projectId}/${dataset.id}/${id}/${exportFilename(dataset.name, version, format)}`;
  const upload = await env.PAYLOADS.createMultipartUpload(key, { httpMetadata: { contentType: EXPORT_CONTENT_TYPE[format] } });
  const now = Date.now();
  const total = (await versionRecordCount(env.DB, { projectId: dataset.projectId, datasetId: dataset.id, version })) ?? 0;
  const row: JobRow = {
    id, projectId: dataset.projectId, datasetId: dataset.id, version, format, status: 'running', r2Key: key, uploadId: upload.uploadId,
    parts: '[]', afterSeq: 0, skipBytes: 0, totalRecords: total, recordsWritten: 0, bytesWritten: 0, peakChunkBytes: 0, error: null,
    leaseUntil: now + LEASE_MS, createdBy: s.createdBy, createdAt: now, updatedAt: now, completedAt: null,
  };
  await getDb(env.DB).insert(datasetExports).values(row);
  return row;
}

/** Creates the job and writes it after the response. */
export async function startExportJob(
  env: Pick<Env, 'DB' | 'PAYLOADS'>,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  s: { dataset: DatasetRow; version: number; format: ExportFormat; createdBy: string },
): Promise<ExportJobResponse> {
  const row = await createExportJob(env, s);
  ctx.waitUntil(runExportJob(env, row));
  return toResponse(row);
}

/** Bytes produced but not uploaded yet, cut into parts of exactly `size` (R2 wants equal parts but the last). */
class PartBuffer {
  #chunks: Uint8Array[] = [];
  bytes = 0;

  push(b: Uint8Array): void {
    if (b.byteLength) (this.#chunks.push(b), (this.bytes += b.byteLength));
  }

  /** The first `size` bytes (all of them when `size` is larger), removed from the buffer. */
  take(size: number): Uint8Array {
    const n = Math.min(size, this.bytes);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0];
      const used = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, used), at);
      at += used;
      if (used === c.byteLength) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(used);
    }
    this.bytes -= n;
    return out;
  }
}

/**
 * Writes the job onward from its saved position until done or out of budget (then a poll resumes it).
 * The export's bytes are deterministic, so a resumed run re-reads from the last record that ended
 * before the uploaded parts and drops the bytes already uploaded.
 */
export async function runExportJob(env: Pick<Env, 'DB' | 'PAYLOADS'>, job: JobRow, budgetMs = BUDGET_MS, partBytes = PART_BYTES): Promise<void> {
  const db = getDb(env.DB);
  const started = Date.now();
  const upload = env.PAYLOADS.resumeMultipartUpload(job.r2Key, job.uploadId ?? '');
  const parts = JSON.parse(job.parts) as Part[];
  let { afterSeq, skipBytes, recordsWritten, bytesWritten, peakChunkBytes } = job;
  const buffer = new PartBuffer();
  // Chunk ends, in bytes after `afterSeq`; the first one at or before the upload point becomes the new resume point.
  let ends: { seq: number; records: number; end: number }[] = [];
  let produced = 0;
  let uploaded = skipBytes;
  const save = (extra: Partial<JobRow> = {}) =>
    db.update(datasetExports)
      .set({ parts: JSON.stringify(parts), afterSeq, skipBytes, recordsWritten, bytesWritten, peakChunkBytes, updatedAt: Date.now(), leaseUntil: Date.now() + LEASE_MS, ...extra })
      .where(eq(datasetExports.id, job.id));
  const uploadPart = async (size: number) => {
    const bytes = buffer.take(size);
    const part = await upload.uploadPart(parts.length + 1, bytes);
    parts.push({ partNumber: part.partNumber, etag: part.etag });
    bytesWritten += bytes.byteLength;
    uploaded += bytes.byteLength;
    const done = ends.filter((e) => e.end <= uploaded);
    const last = done[done.length - 1];
    if (last) {
      recordsWritten += done.reduce((n, e) => n + e.records, 0);
      afterSeq = last.seq;
      ends = ends.slice(done.length).map((e) => ({ ...e, end: e.end - last.end }));
      (produced -= last.end), (uploaded -= last.end);
    }
    skipBytes = uploaded;
    await save();
  };
  try {
    for await (const chunk of exportChunks(env.DB, { projectId: job.projectId, datasetId: job.datasetId, version: job.version, format: job.format, afterSeq })) {
      peakChunkBytes = Math.max(peakChunkBytes, chunk.bytes.byteLength);
      const start = produced;
      produced += chunk.bytes.byteLength;
      ends.push({ seq: chunk.lastSeq, records: chunk.records, end: produced });
      if (produced > uploaded) buffer.push(chunk.bytes.subarray(Math.max(0, uploaded - start)));
      while (buffer.bytes >= partBytes) {
        await uploadPart(partBytes);
        if (Date.now() - started > budgetMs) return; // the lease runs out and the next poll resumes
      }
    }
    if (buffer.bytes || !parts.length) await uploadPart(buffer.bytes);
    await upload.complete(parts);
    await save({ status: 'done', completedAt: Date.now(), leaseUntil: 0, recordsWritten: recordsWritten + ends.reduce((n, e) => n + e.records, 0) });
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'dataset export failed', exportId: job.id, error: String(err) }));
    await upload.abort().catch(() => undefined);
    await save({ status: 'failed', error: 'The export could not be written; start it again.', leaseUntil: 0 }).catch(() => undefined);
  }
}

/** The job's status; a running job whose worker stopped (lease expired) is resumed here. */
export async function getExportJob(
  env: Pick<Env, 'DB' | 'PAYLOADS'>,
  ctx: Pick<ExecutionContext, 'waitUntil'>,
  s: { projectId: string; datasetId: string; exportId: string },
): Promise<ExportJobResponse> {
  const job = await loadJob(env, s);
  const now = Date.now();
  if (job.status === 'running' && job.leaseUntil < now) {
    const claimed = await getDb(env.DB)
      .update(datasetExports)
      .set({ leaseUntil: now + LEASE_MS })
      .where(and(eq(datasetExports.id, job.id), lt(datasetExports.leaseUntil, now)))
      .returning({ id: datasetExports.id });
    if (claimed.length) ctx.waitUntil(runExportJob(env, job));
  }
  return toResponse(job);
}

/** The dataset's export jobs, newest first. */
export async function listExportJobs(env: Pick<Env, 'DB'>, s: { projectId: string; datasetId: string }): Promise<ExportJobResponse[]> {
  const rows = await getDb(env.DB)
    .select()
    .from(datasetExports)
    .where(and(eq(datasetExports.projectId, s.projectId), eq(datasetExports.datasetId, s.datasetId)))
    .orderBy(desc(datasetExports.createdAt))
    .limit(50)
    .all();
  return rows.map(toResponse);
}

/** The finished export file as a download. */
export async function downloadExport(env: Pick<Env, 'DB' | 'PAYLOADS'>, s: { projectId: string; datasetId: string; exportId: string }): Promise<Response> {
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
