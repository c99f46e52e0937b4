import { Buffer } from 'node:buffer';
import { ServiceUnavailable } from '../lib/errors';
import { log } from '../ops/log';
import type { OtlpFormat } from './body';
import { enqueue } from '../queue/producer';
import type { SpansReceived } from '../queue/messages';

/**
 * Queued ingest (`INGEST_MODE = "queued"`): the request is screened, made durable on the Queue and
 * acknowledged; the consumer decodes, maps and stores it together with the other requests of its
 * batch (worker/ingest/received.ts). A request then costs a gzip and a Queue send instead of mapping,
 * an R2 put and a D1 transaction, and D1 sees one transaction per consumer batch instead of one per
 * request. Traces become readable when the consumer has run (about a second).
 */

import { INLINE_GZIP_BYTES, RAW_SPILL_BYTES } from './queued-limits';

export { INLINE_GZIP_BYTES, RAW_SPILL_BYTES };

export type IngestMode = 'direct' | 'queued';

export function ingestMode(env: Pick<Env, 'INGEST_MODE'>): IngestMode {
  return String(env.INGEST_MODE) === 'queued' ? 'queued' : 'direct';
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Where a spilled body waits for the consumer: `.gz` when compressed, `.raw` when stored as received. */
export function spillKey(projectId: string, now: Date, compressed = true): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `incoming/${projectId}/${day}/${now.getTime()}-${crypto.randomUUID()}.${compressed ? 'gz' : 'raw'}`;
}

/**
 * Makes an accepted request durable for the consumer. Any failure is a 503, so the sender retries:
 * nothing was acknowledged yet.
 */
export async function acceptSpans(env: Env, projectId: string, format: OtlpFormat, body: Uint8Array, spans: number, now = new Date()): Promise<void> {
  if (spans === 0) return;
  try {
    const message: SpansReceived = { type: 'spans.received', projectId, format, spans, receivedAt: now.getTime() };
    if (body.byteLength > RAW_SPILL_BYTES) {
      message.key = spillKey(projectId, now, false);
      await env.PAYLOADS.put(message.key, body);
      await enqueue(env, [message]);
      return;
    }
    const packed = await gzip(body);
    if (packed.byteLength <= INLINE_GZIP_BYTES) {
      message.gzipBase64 = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64');
    } else {
      message.key = spillKey(projectId, now);
      await env.PAYLOADS.put(message.key, packed);
    }
    await enqueue(env, [message]);
  } catch (err) {
    log.error('queued ingest failed', { projectId, error: err });
    throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.', 5);
  }
}
