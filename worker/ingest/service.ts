import { projectShard } from '../data/shards';
import { indexSpans } from '../data/trace-index';
import { ServiceUnavailable } from '../lib/errors';
import { log } from '../ops/log';
import type { NormalizedSpan } from '../otlp/types';
import { settleMs } from '../automations/run';
import { enqueueTouched } from '../queue/producer';
import { projectRedactor } from './redaction-cache';
import { prepareBatch } from './rows';

function payloadKey(projectId: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `spans/${projectId}/${day}/${now.getTime()}-${crypto.randomUUID()}.ndjson`;
}

/**
 * Makes a batch of spans durable, then announces the touched traces: R2 holds the full spans,
 * the project's D1 shard the index and the recomputed trace rows, the Queue the post-ingest work. Any failure is a
 * 503 so the sender retries; a retry is harmless because spans are deduplicated.
 */
export async function storeSpans(env: Env, projectId: string, spans: NormalizedSpan[], now = new Date()): Promise<number> {
  if (!spans.length) return 0;
  const key = payloadKey(projectId, now);
  const redactor = await projectRedactor(env.DB, projectId).catch((err: unknown) => {
    log.error('redaction rules unavailable', { projectId, error: err });
    throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.', 5);
  });
  // Redaction runs first: the R2 payload, the D1 previews and everything mapped from them see only redacted spans.
  const batch = prepareBatch(spans, key, redactor);
  try {
    const shard = await projectShard(env, projectId);
    await env.PAYLOADS.put(key, batch.payload, { httpMetadata: { contentType: 'application/x-ndjson' } });
    await indexSpans(shard, projectId, batch);
    await enqueueTouched(env, projectId, batch.traceIds, settleMs(env) / 1000);
  } catch (err) {
    log.error('ingest storage failed', { projectId, error: err });
    throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.', 5);
  }
  return batch.rows.length;
}
