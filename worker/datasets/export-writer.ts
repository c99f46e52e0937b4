import { eq } from 'drizzle-orm';
import { getDb } from '../db/client';
import { datasetExports } from '../db/datasets';
import { exportChunks } from './export';
import { PartBuffer } from './part-buffer';
import type { ProjectEnv } from '../data/shards';

/** R2 wants equal parts of at least 5 MiB but the last: 8 MiB is about what a job holds in memory. */
export const PART_BYTES = 8 * 1024 * 1024;
/** A worker holds a job this long after its last saved part; then a status poll may resume it. */
export const LEASE_MS = 60_000;
/** What a worker spends on a job after the response (waitUntil gives about 30 s). */
const BUDGET_MS = 20_000;

export type JobRow = typeof datasetExports.$inferSelect;
type Part = { partNumber: number; etag: string };

/**
 * Writes the job onward from its saved position until done or out of budget (then a poll resumes it).
 * The export's bytes are deterministic, so a resumed run re-reads from the last record that ended
 * before the uploaded parts and drops the bytes already uploaded.
 */
export async function runExportJob(env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>, job: JobRow, budgetMs = BUDGET_MS, partBytes = PART_BYTES): Promise<void> {
  const db = getDb(env.shard);
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
    for await (const chunk of exportChunks(env.shard, { projectId: job.projectId, datasetId: job.datasetId, version: job.version, format: job.format, afterSeq })) {
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
