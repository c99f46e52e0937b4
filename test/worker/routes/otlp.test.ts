import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  ExportTraceServiceRequestSchema,
  ExportTraceServiceResponseSchema,
  RpcStatusSchema,
} from '../../../worker/otlp/gen/otlp_pb';
import { MAX_BODY_BYTES } from '../../../worker/ingest/body';
import { getJson, hex, llmSpan, makeProject, otlpJson, postOtlp, sattr } from '../helpers';

async function gzip(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function hexBytes(h: string): Uint8Array {
  return new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));
}

describe('POST /v1/traces', () => {
  it('stores an OTLP/JSON trace and reads it back with model, tokens, input and output', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'support turn', attributes: [sattr('session.id', 's-1')] };
    const res = await postOtlp(otlpJson([root, llmSpan(traceId, root.spanId, { input: 'Where is my order?', output: 'It ships tomorrow.', inTok: 120, outTok: 30 })]), key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({});

    const detail = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(detail.status).toBe(200);
    expect(detail.body.trace).toMatchObject({
      traceId,
      name: 'support turn',
      service: 'test-svc',
      model: 'gpt-4o-mini',
      inputTokens: 120,
      outputTokens: 30,
      spanCount: 2,
      llmCallCount: 1,
      sessionId: 's-1',
      outputPreview: 'It ships tomorrow.',
    });
    expect(detail.body.trace.inputPreview).toContain('Where is my order?');
    expect(detail.body.spans).toHaveLength(2);
    const llm = detail.body.spans.find((s: any) => s.llm.kind === 'llm');
    expect(llm.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(llm.llm.inputMessages[0]).toMatchObject({ role: 'user', content: 'Where is my order?' });
    expect(llm.llm.outputMessages[0].content).toBe('It ships tomorrow.');
  });

  it('accepts protobuf, gzip-compressed, and answers in protobuf', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const spanId = hex(8);
    const now = BigInt(Date.now()) * 1_000_000n;
    const req = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { value: { case: 'stringValue', value: 'proto-svc' } } }] },
        scopeSpans: [{
          spans: [{
            traceId: hexBytes(traceId), spanId: hexBytes(spanId), name: 'llm call', kind: 3,
            startTimeUnixNano: now, endTimeUnixNano: now + 250_000_000n,
            attributes: [
              { key: 'openinference.span.kind', value: { value: { case: 'stringValue', value: 'LLM' } } },
              { key: 'llm.model_name', value: { value: { case: 'stringValue', value: 'claude-sonnet-4' } } },
              { key: 'llm.token_count.prompt', value: { value: { case: 'intValue', value: 42n } } },
              { key: 'llm.token_count.completion', value: { value: { case: 'intValue', value: 7n } } },
              { key: 'input.value', value: { value: { case: 'stringValue', value: 'hello' } } },
              { key: 'output.value', value: { value: { case: 'stringValue', value: 'hi there' } } },
            ],
          }],
        }],
      }],
    });
    const body = await gzip(toBinary(ExportTraceServiceRequestSchema, req));
    const res = await postOtlp(body, key, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const answer = fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(answer.partialSuccess).toBeUndefined();

    const { body: t } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(t.trace).toMatchObject({ service: 'proto-svc', model: 'claude-sonnet-4', inputTokens: 42, outputTokens: 7, durationMs: 250 });
    expect(t.spans[0].llm.kind).toBe('llm');
  });

  it('assembles a trace whose spans arrive split, out of order and duplicated', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const rootId = hex(8);
    const t0 = Date.now() - 10_000;
    const child = llmSpan(traceId, rootId, { inTok: 10, outTok: 5, startMs: t0 + 100 });
    const child2 = llmSpan(traceId, rootId, { inTok: 1, outTok: 1, startMs: t0 + 500 });
    const root = { traceId, spanId: rootId, name: 'agent run', startMs: t0, durationMs: 2000 };

    expect((await postOtlp(otlpJson([child]), key)).status).toBe(200);
    let { body } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(body.trace).toMatchObject({ spanCount: 1, inputTokens: 10 });

    expect((await postOtlp(otlpJson([root, child2]), key)).status).toBe(200);
    expect((await postOtlp(otlpJson([child, root, child2]), key)).status).toBe(200);
    ({ body } = await getJson(`/api/v1/traces/${traceId}`, { key }));
    expect(body.trace).toMatchObject({ name: 'agent run', spanCount: 3, inputTokens: 11, outputTokens: 6, llmCallCount: 2, durationMs: 2000 });
    expect(body.spans.map((s: any) => s.spanId)).toEqual([rootId, child.spanId, child2.spanId]);
  });

  it('names the chat model, not an earlier embedding model, as the trace model', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const rootId = hex(8);
    const t0 = Date.now() - 5000;
    const embed = { traceId, spanId: hex(8), parentSpanId: rootId, name: 'embed', startMs: t0, attributes: [sattr('openinference.span.kind', 'EMBEDDING'), sattr('embedding.model_name', 'text-embedding-3-small')] };
    const chat = llmSpan(traceId, rootId, { model: 'gpt-4.1', startMs: t0 + 100 });
    expect((await postOtlp(otlpJson([{ traceId, spanId: rootId, name: 'rag', startMs: t0 }, embed, chat]), key)).status).toBe(200);
    const { body } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(body.trace.model).toBe('gpt-4.1');
    expect(body.trace.models).toEqual(['gpt-4.1', 'text-embedding-3-small']);
  });

  it('rejects only the bad spans of a mixed batch and stores the good ones', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const good = { traceId, spanId: hex(8), name: 'good' };
    const badTrace = { traceId: 'zz', spanId: hex(8), name: 'bad trace id' };
    const badTime = { traceId, spanId: hex(8), name: 'ends before it starts', durationMs: -5 };
    const res = await postOtlp(otlpJson([good, badTrace, badTime]), key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(Number(body.partialSuccess.rejectedSpans)).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/trace id|end/i);
    const { body: t } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(t.spans.map((s: any) => s.name)).toEqual(['good']);
  });

  it('answers an empty request with 200', async () => {
    const { key } = await makeProject();
    expect((await postOtlp('{}', key)).status).toBe(200);
    expect((await postOtlp(new Uint8Array(), key, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
  });

  it('answers malformed JSON and protobuf with 400 and a Status message', async () => {
    const { key } = await makeProject();
    const json = await postOtlp('{"resourceSpans": [', key);
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).message).toMatch(/json/i);
    const proto = await postOtlp(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), key, { 'content-type': 'application/x-protobuf' });
    expect(proto.status).toBe(400);
    const status = fromBinary(RpcStatusSchema, new Uint8Array(await proto.arrayBuffer()));
    expect(status.message.length).toBeGreaterThan(0);
  });

  it('answers an unknown content type with 415', async () => {
    const { key } = await makeProject();
    expect((await postOtlp('x', key, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('answers a body over the limit with 413, gzip bombs included', async () => {
    const { key } = await makeProject();
    const big = await postOtlp('x', key, { 'content-length': String(MAX_BODY_BYTES + 1) }).catch(() => null);
    if (big) expect(big.status).toBe(413);
    const bomb = await gzip(new Uint8Array(MAX_BODY_BYTES + 1024));
    expect(bomb.byteLength).toBeLessThan(100_000);
    const res = await postOtlp(bomb, key, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
  });

  it('answers 401 without a valid key and 403 for a key without the ingest scope', async () => {
    const body = otlpJson([{ traceId: hex(16), spanId: hex(8) }]);
    expect((await postOtlp(body, null)).status).toBe(401);
    expect((await postOtlp(body, 'sieve_not_a_real_key')).status).toBe(401);
    const { key } = await makeProject(['read']);
    expect((await postOtlp(body, key)).status).toBe(403);
  });
});
