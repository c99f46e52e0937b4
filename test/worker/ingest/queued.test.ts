import { fromJson, toBinary } from '@bufbuild/protobuf';
import { createExecutionContext, createMessageBatch, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { acceptSpans, gzip, INLINE_GZIP_BYTES, RAW_SPILL_BYTES } from '../../../worker/ingest/accept';
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from '../../../worker/otlp/gen/otlp_pb';
import { fromBinary } from '@bufbuild/protobuf';
import { hexIdsToBase64 } from '../../../worker/otlp/json-ids';
import type { SpansReceived } from '../../../worker/queue/messages';
import { getJson, hex, llmSpan, makeProject, ORIGIN, otlpJson, sattr } from '../helpers';

/** OTLP/JSON text (hex ids) → protobuf, as an SDK's proto exporter sends it. */
function protobuf(json: string): Uint8Array<ArrayBuffer> {
  const req = JSON.parse(json);
  for (const rs of req.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64);
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, req)) as Uint8Array<ArrayBuffer>;
}

const queuedEnv = { ...env, INGEST_MODE: 'queued' } as unknown as Env;

/** Sends an OTLP request to the Worker configured for queued ingest (the Queue and its consumer are real). */
async function postQueued(body: Uint8Array<ArrayBuffer> | string, key: string): Promise<Response> {
  const contentType = typeof body === 'string' ? 'application/json' : 'application/x-protobuf';
  const ctx = createExecutionContext();
  const res = await worker.fetch!(new Request(`${ORIGIN}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body }) as never, queuedEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Polls the trace until it has `spans` spans (the consumer runs about a second after the send). */
async function eventually(traceId: string, key: string, spans: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const res = await getJson(`/api/v1/traces/${traceId}`, { key });
    if (res.status === 200 && res.body.trace.spanCount >= spans) return res.body;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} not stored with ${spans} spans: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('queued ingest (INGEST_MODE = "queued")', () => {
  it('answers with the screened partial success, then the consumer stores the good spans once', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'support turn' };
    const json = otlpJson([
      root,
      llmSpan(traceId, root.spanId, { input: 'Where is my order?', output: 'It ships tomorrow.', inTok: 120, outTok: 30 }),
      { traceId, spanId: '0000000000000000', name: 'bad id' },
    ]);
    const res = await postQueued(protobuf(json), key);
    expect(res.status).toBe(200);
    const answer = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(answer.partialSuccess?.rejectedSpans).toBe(1n);
    expect(answer.partialSuccess?.errorMessage).toContain('invalid span id');

    const detail = await eventually(traceId, key, 2);
    expect(detail.trace).toMatchObject({ name: 'support turn', service: 'test-svc', model: 'gpt-4o-mini', inputTokens: 120, outputTokens: 30, spanCount: 2 });
    expect(JSON.stringify(detail.spans)).toContain('It ships tomorrow.');

    // The same batch again (an exporter's retry) changes nothing.
    expect((await postQueued(protobuf(json), key)).status).toBe(200);
    const later = { traceId: hex(16), spanId: hex(8), name: 'marker' };
    await postQueued(protobuf(otlpJson([later])), key);
    await eventually(later.traceId, key, 1);
    expect((await eventually(traceId, key, 2)).trace.spanCount).toBe(2);
  });

  it('takes OTLP/JSON too, with the same rejections as direct ingest', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const res = await postQueued(otlpJson([{ traceId, spanId: hex(8), name: 'json root' }, { traceId: 'zz', spanId: hex(8) }]), key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess?: { rejectedSpans?: string } };
    expect(Number(body.partialSuccess?.rejectedSpans)).toBe(1);
    expect((await eventually(traceId, key, 1)).trace.name).toBe('json root');
  });

  it('answers 503 with Retry-After when the Queue refuses the request, so the exporter retries', async () => {
    const { key } = await makeProject();
    const broken = { ...queuedEnv, POST_INGEST: { sendBatch: async () => { throw new Error('queue down'); }, send: async () => { throw new Error('queue down'); } } } as unknown as Env;
    const ctx = createExecutionContext();
    const req = new Request(`${ORIGIN}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: otlpJson([{ traceId: hex(16), spanId: hex(8) }]) });
    const res = await worker.fetch!(req as never, broken, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });

  it('spills a body too large for a Queue message to R2 and deletes it once stored', async () => {
    const { projectId, key } = await makeProject();
    const traceId = hex(16);
    // Random text does not compress: the gzip stays above the inline limit.
    const noise = Array.from({ length: 12 }, () => hex(8_000)).join(' ');
    const body = protobuf(otlpJson([{ traceId, spanId: hex(8), name: 'big', attributes: [sattr('input.value', noise)] }]));
    expect((await gzip(body)).byteLength).toBeGreaterThan(INLINE_GZIP_BYTES);
    expect((await postQueued(body, key)).status).toBe(200);
    const detail = await eventually(traceId, key, 1);
    expect(JSON.stringify(detail.spans)).toContain(noise.slice(0, 100));
    const deadline = Date.now() + 5_000;
    while ((await env.PAYLOADS.list({ prefix: `incoming/${projectId}/` })).objects.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await env.PAYLOADS.list({ prefix: `incoming/${projectId}/` })).objects).toHaveLength(0);
  });

  it('stores a consumer batch of several requests in one write and acknowledges each message', async () => {
    const { projectId, key } = await makeProject();
    const traces = Array.from({ length: 3 }, () => hex(16));
    const messages: SpansReceived[] = [];
    const send = env.POST_INGEST.send;
    // Capture what acceptSpans would put on the Queue, to hand it to the consumer as one batch.
    const captured = { ...env, POST_INGEST: { ...env.POST_INGEST, sendBatch: async (b: { body: SpansReceived }[]) => void messages.push(...b.map((m) => m.body)), send } } as unknown as Env;
    for (const traceId of traces) await acceptSpans(captured, projectId, 'protobuf', protobuf(otlpJson([{ traceId, spanId: hex(8), name: 'batched' }])), 1);
    expect(messages).toHaveLength(3);
    const before = (await env.PAYLOADS.list({ prefix: `t/${projectId}/` })).objects.length;
    const batch = createMessageBatch('sieve-post-ingest', messages.map((body, i) => ({ id: `m-${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['m-0', 'm-1', 'm-2']);
    for (const traceId of traces) expect((await getJson(`/api/v1/traces/${traceId}`, { key })).status).toBe(200);
    // One R2 object for the three requests.
    expect((await env.PAYLOADS.list({ prefix: `t/${projectId}/` })).objects.length - before).toBe(1);
  });

  it('puts a body over RAW_SPILL_BYTES in R2 as received (no gzip on the request path) and deletes it once stored', async () => {
    const { projectId, key } = await makeProject();
    const traceId = hex(16);
    const noise = Array.from({ length: 24 }, () => hex(8_000)).join(' ');
    const body = protobuf(otlpJson([{ traceId, spanId: hex(8), name: 'bigger', attributes: [sattr('input.value', noise)] }]));
    expect(body.byteLength).toBeGreaterThan(RAW_SPILL_BYTES);
    const seen: string[] = [];
    const put = env.PAYLOADS.put.bind(env.PAYLOADS);
    const spy = { ...env, PAYLOADS: Object.assign(Object.create(env.PAYLOADS), { put: (k: string, v: never, o?: never) => (seen.push(k), put(k, v, o)) }) } as unknown as Env;
    await acceptSpans(spy, projectId, 'protobuf', body, 1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^incoming/${projectId}/.*\\.raw$`));
    expect(new Uint8Array(await (await env.PAYLOADS.get(seen[0]))!.arrayBuffer())).toEqual(body);
    expect((await postQueued(body, key)).status).toBe(200);
    const detail = await eventually(traceId, key, 1);
    expect(JSON.stringify(detail.spans)).toContain(noise.slice(0, 100));
  });

  it('retries the messages of a chunk whose storage fails, and acknowledges a redelivery whose spilled body is gone', async () => {
    const { projectId } = await makeProject();
    const failing = { ...env, DB: { prepare: () => { throw new Error('D1 down'); }, batch: async () => { throw new Error('D1 down'); } } } as unknown as Env;
    const inline: SpansReceived = {
      type: 'spans.received', projectId, format: 'json', spans: 1, receivedAt: Date.now(),
      gzipBase64: btoa(String.fromCharCode(...(await gzip(new TextEncoder().encode(otlpJson([{ traceId: hex(16), spanId: hex(8) }])))))),
    };
    const gone: SpansReceived = { type: 'spans.received', projectId, format: 'protobuf', spans: 1, receivedAt: Date.now(), key: `incoming/${projectId}/gone.gz` };
    const batch = createMessageBatch('sieve-post-ingest', [
      { id: 'inline', timestamp: new Date(), attempts: 1, body: inline },
      { id: 'gone', timestamp: new Date(), attempts: 2, body: gone },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, failing);
    const result = await getQueueResult(batch, ctx);
    // Both messages were in the failed chunk (the second contributed no spans but shares its fate).
    expect(result.retryMessages.map((m) => m.msgId).sort()).toEqual(['gone', 'inline']);

    const batch2 = createMessageBatch('sieve-post-ingest', [{ id: 'gone', timestamp: new Date(), attempts: 3, body: gone }]);
    const ctx2 = createExecutionContext();
    await worker.queue(batch2 as never, env);
    expect((await getQueueResult(batch2, ctx2)).explicitAcks).toEqual(['gone']);
  });
});
