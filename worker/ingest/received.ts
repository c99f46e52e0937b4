import { Buffer } from 'node:buffer';
import { count, METRICS } from '../ops/counters';
import { log } from '../ops/log';
import { decodeJson, decodeProtobuf } from '../otlp/decode';
import type { SpansReceived } from '../queue/messages';
import { gunzip } from './body';
import { concatDecoded, type DecodedSpans } from './rows';
import { storeSpans } from './service';

/**
 * The consumer half of queued ingest (worker/ingest/accept.ts): decodes the accepted requests of a
 * batch and stores them per project in few writes: one R2 object and one D1 transaction per chunk of
 * up to MAX_SPANS_PER_WRITE spans, where direct ingest writes one of each per request. A chunk that
 * fails to store is retried whole (spans are deduplicated, so a partly stored chunk is harmless).
 */

/** Spans per storeSpans call: bounds the Worker's memory (128 MB) and the size of one D1 transaction. */
export const MAX_SPANS_PER_WRITE = 2000;

export interface ReceivedMessage {
  body: SpansReceived;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
  attempts: number;
}

/** The request body of a message, or null when its spilled R2 object is gone (stored and deleted before). */
async function bodyOf(env: Env, m: SpansReceived): Promise<Uint8Array | null> {
  if (m.gzipBase64 !== undefined) return gunzip(Buffer.from(m.gzipBase64, 'base64'));
  const object = await env.PAYLOADS.get(m.key!);
  if (!object) return null;
  const bytes = new Uint8Array(await object.arrayBuffer());
  // Large bodies are spilled as received (`.raw`), smaller ones compressed (`.gz`).
  return m.key!.endsWith('.raw') ? bytes : gunzip(bytes);
}

/** Decodes one accepted request; spans the full decode rejects beyond the screening are counted here. */
async function spansOf(env: Env, m: SpansReceived): Promise<DecodedSpans> {
  const body = await bodyOf(env, m);
  if (!body) return { spans: [] }; // stored before, its acknowledgment lost
  let decoded: DecodedSpans;
  try {
    decoded = m.format === 'protobuf' ? decodeProtobuf(body) : decodeJson(new TextDecoder().decode(body));
  } catch (err) {
    decoded = { spans: [] };
    log.error('accepted OTLP request failed to decode', { projectId: m.projectId, error: err });
  }
  const late = m.spans - decoded.spans.length;
  if (late > 0) {
    count(METRICS.spansRejected, m.projectId, late);
    log.warn('spans rejected after acknowledgment', { projectId: m.projectId, spans: late });
  }
  return decoded;
}

/** Stores the accepted requests of one consumer batch, acknowledging each message once its spans are stored. */
export async function storeReceived(env: Env, messages: ReceivedMessage[]): Promise<void> {
  const byProject = new Map<string, ReceivedMessage[]>();
  for (const m of messages) {
    const list = byProject.get(m.body.projectId);
    if (list) list.push(m);
    else byProject.set(m.body.projectId, [m]);
  }
  for (const [projectId, list] of byProject) {
    let chunk: ReceivedMessage[] = [];
    let parts: DecodedSpans[] = [];
    let spans = 0;
    for (const m of list) {
      let decoded: DecodedSpans;
      try {
        decoded = await spansOf(env, m.body);
      } catch (err) {
        // R2 unavailable for a spilled body: only this message waits.
        log.warn('reading an accepted OTLP request failed, will retry', { projectId, error: err });
        retry(m);
        continue;
      }
      chunk.push(m);
      parts.push(decoded);
      spans += decoded.spans.length;
      if (spans >= MAX_SPANS_PER_WRITE) {
        await storeChunk(env, projectId, chunk, concatDecoded(parts));
        chunk = [];
        parts = [];
        spans = 0;
      }
    }
    if (chunk.length) await storeChunk(env, projectId, chunk, concatDecoded(parts));
  }
}

function retry(m: ReceivedMessage): void {
  count(METRICS.retried, m.body.projectId);
  m.retry({ delaySeconds: Math.min(60, 2 ** m.attempts) });
}

async function storeChunk(env: Env, projectId: string, chunk: ReceivedMessage[], spans: DecodedSpans): Promise<void> {
  try {
    await storeSpans(env, projectId, spans);
  } catch (err) {
    log.warn('storing accepted spans failed, will retry', { projectId, messages: chunk.length, error: err });
    for (const m of chunk) retry(m);
    return;
  }
  const spilled = chunk.flatMap((m) => (m.body.key ? [m.body.key] : []));
  // A leftover spilled object is only storage; a redelivered message whose object is gone stores nothing twice.
  if (spilled.length) await env.PAYLOADS.delete(spilled).catch((err: unknown) => log.warn('deleting spilled OTLP bodies failed', { projectId, error: err }));
  for (const m of chunk) {
    m.ack();
    count(METRICS.consumed, projectId);
  }
}
