import { projectShard } from '../data/shards';
import { indexTraces, type SegmentRef } from '../data/trace-write';
import { ServiceUnavailable } from '../lib/errors';
import { count, METRICS } from '../ops/counters';
import { log } from '../ops/log';
import { settleMs } from '../automations/run';
import { enqueueTouched } from '../queue/producer';
import { readSegments } from './payloads';
import { projectRedactor } from './redaction-cache';
import { prepareBatch, splitDecoded, type DecodedSpans } from './rows';
import { spanInfo } from './span-info';

/**
 * A short, unique R2 key per stored batch (every trace's segment list repeats it): `t/<project>/`, the
 * time in base 36, 8 random hex digits. `t/` objects hold OTLP protobuf, one request per trace.
 */
function payloadKey(projectId: string, now: Date): string {
  return `t/${projectId}/${now.getTime().toString(36)}${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Makes a batch of spans durable, then announces the touched traces: R2 holds the spans (one
 * protobuf segment per trace), the project's D1 shard the lean index (trace rows and per-trace span
 * ids and state), the Queue the post-ingest work. Any failure is a 503 so the sender retries; a retry
 * is harmless because spans are deduplicated. Returns the number of spans in the batch.
 */
export async function storeSpans(env: Env, projectId: string, decoded: DecodedSpans, now = new Date()): Promise<number> {
  let stored = 0;
  const parts = splitDecoded(decoded, SPANS_PER_OBJECT);
  for (const [i, part] of parts.entries()) {
    // Other requests of this isolate (another project's reads) run between the parts of a large request.
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    stored += await storePart(env, projectId, part, now);
  }
  return stored;
}

/** Spans per R2 object and per indexing pass: bounds one request's memory and how long it holds the isolate at a time. */
const SPANS_PER_OBJECT = 1000;

async function storePart(env: Env, projectId: string, decoded: DecodedSpans, now: Date): Promise<number> {
  if (!decoded.spans.length) return 0;
  const key = payloadKey(projectId, now);
  const redactor = await projectRedactor(env.DB, projectId).catch((err: unknown) => {
    log.error('redaction rules unavailable', { projectId, error: err });
    throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.', 5);
  });
  // Redaction runs first: the R2 object, the D1 previews and everything mapped from them see only redacted spans.
  const batch = prepareBatch(decoded, redactor);
  try {
    const shard = await projectShard(env, projectId);
    await env.PAYLOADS.put(key, batch.payload, { httpMetadata: { contentType: 'application/x-protobuf' } });
    count(METRICS.r2Puts, projectId);
    count(METRICS.r2BytesWritten, projectId, batch.payload.byteLength);
    const inputs = batch.traces.map((t) => ({ traceId: t.traceId, segment: [key, t.offset, t.length] as SegmentRef, spans: t.spans }));
    const result = await indexTraces(shard, projectId, key, inputs, batch.evaluations, {
      now: now.getTime(),
      loadSpans: async (segments) => (await readSegments(env.PAYLOADS, segments)).map((s) => spanInfo(s)),
    });
    count(METRICS.d1RowsWritten, projectId, result.rowsWritten);
    count(METRICS.d1RowsRead, projectId, result.rowsRead);
    // Every span was a repeat: nothing points into the new object.
    if (!result.referencing) await env.PAYLOADS.delete(key).catch((err: unknown) => log.warn('deleting an unreferenced payload failed', { projectId, key, error: err }));
    await enqueueTouched(env, projectId, result.traceIds, settleMs(env) / 1000);
  } catch (err) {
    log.error('ingest storage failed', { projectId, error: err });
    throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.', 5);
  }
  return batch.spanCount;
}
