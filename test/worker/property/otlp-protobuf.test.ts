import { fromBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProtobuf, OtlpDecodeError } from '../../../worker/otlp/decode';
import { ExportTraceServiceResponseSchema, RpcStatusSchema } from '../../../worker/otlp/gen/otlp_pb';
import type { DecodeResult, NormalizedSpan } from '../../../worker/otlp/types';
import { call, makeProject, postOtlp } from '../helpers';
import { assertPrototypesClean, check, checkAsync, ENDPOINT_SHRINKS, expectSameData, makeVerbatimProject, runs } from './arbitraries';
import {
  asJson,
  attrs,
  expectedAttributes,
  expectedName,
  PROTOBUF_DEFECTS,
  protobufRequest,
  protobufSpan,
  randomHex,
  spanModel,
  spanModelWithHugeStrings,
  type Defect,
  type SpanModel,
} from './otlp-model';

/**
 * Hostile OTLP/protobuf: random, truncated and bit-flipped bytes, invalid UTF-8, nesting past the
 * decoder's limit, huge and unicode-edge strings, prototype keys. The decoder either decodes or
 * throws its own OtlpDecodeError; the endpoint answers 200 (partial success naming the rejected
 * spans) or 400, stores every good span of a mixed batch, and nothing reaches a prototype.
 * Each property has a fixed seed; a failure prints `{ seed, path }` to replay it with fc.assert.
 */

const PROTOBUF = { 'content-type': 'application/x-protobuf' };

/** Runs the decoder; anything thrown but OtlpDecodeError fails the property. */
function decodeOrReject(bytes: Uint8Array): DecodeResult | null {
  try {
    return decodeProtobuf(bytes);
  } catch (err) {
    if (err instanceof OtlpDecodeError) return null;
    throw err;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Every object in a decoded value is a plain object with Object.prototype, keys as own data, and
 * every string is well-formed (it came from UTF-8), so it is stored and served as it was sent.
 */
function expectPlainData(value: unknown, path = 'span'): void {
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) throw new Error(`${path} holds a lone surrogate`);
  if (value === null || typeof value !== 'object') return;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype) throw new Error(`${path} has a foreign prototype`);
  for (const [k, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(k)) throw new Error(`${path} has a key with a lone surrogate`);
    expectPlainData(v, `${path}.${k}`);
  }
}

function expectWellFormedSpan(span: NormalizedSpan): void {
  expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
  expect(span.traceId).not.toBe('0'.repeat(32));
  expect(span.spanId).not.toBe('0'.repeat(16));
  expect(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano)).toBe(true);
  expectPlainData(span);
  // R2 holds spans as NDJSON: no bigint or other value JSON cannot carry.
  expect(() => JSON.stringify(span)).not.toThrow();
}

const goodRequest = fc.array(spanModel, { minLength: 1, maxLength: 4 }).map((models) =>
  protobufRequest([{ resource: [], scopeName: 'fuzz', spans: models.map((m) => protobufSpan(m, { traceId: randomHex(16), spanId: randomHex(8) })) }]),
);

describe('decodeProtobuf on hostile bytes', () => {
  it('decodes or throws OtlpDecodeError for random bytes', () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeOrReject(bytes)?.spans.forEach(expectWellFormedSpan);
        assertPrototypesClean();
      }),
      runs(0x5eed01, 2000),
    );
  }, 30_000);

  it('decodes a truncated request to a prefix of its spans, or throws OtlpDecodeError', () => {
    check(
      fc.property(goodRequest, fc.double({ min: 0, max: 1, noNaN: true }), (bytes, at) => {
        const full = decodeProtobuf(bytes);
        const cut = decodeOrReject(bytes.subarray(0, Math.floor(bytes.length * at)));
        if (cut) expectSameData(cut.spans, full.spans.slice(0, cut.spans.length), 'spans of the truncated request');
      }),
      runs(0x5eed02, 200),
    );
  }, 30_000);

  it('decodes or throws OtlpDecodeError after bit flips, and what it keeps is well formed', () => {
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 });
    check(
      fc.property(goodRequest, flips, (bytes, positions) => {
        const flipped = bytes.slice();
        for (const [i, bit] of positions) flipped[i % flipped.length] ^= 1 << bit;
        decodeOrReject(flipped)?.spans.forEach(expectWellFormedSpan);
        assertPrototypesClean();
      }),
      runs(0x5eed03, 500),
    );
  }, 30_000);

  it('keeps hostile attribute keys and values as plain data, exactly as sent', () => {
    check(
      fc.property(spanModelWithHugeStrings, attrs(4), (model, resource) => {
        const ids = { traceId: randomHex(16), spanId: randomHex(8) };
        const { spans, rejected } = decodeProtobuf(protobufRequest([{ resource, scopeName: 'fuzz', spans: [protobufSpan(model, ids)] }]));
        expect(rejected).toEqual({ count: 0, messages: [] });
        expect(spans).toHaveLength(1);
        const [span] = spans;
        expectWellFormedSpan(span);
        expect(span.name).toBe(expectedName(model.name, 'protobuf'));
        expectSameData(asJson(span.attributes), asJson(expectedAttributes(model.attributes, 'protobuf')), 'attributes');
        expectSameData(asJson(span.resource), asJson(expectedAttributes(resource, 'protobuf')), 'resource');
        const events = model.events.map((e) => expectedAttributes(e.attributes, 'protobuf'));
        expectSameData(asJson(span.events.map((e) => e.attributes)), asJson(events), 'event attributes');
        assertPrototypesClean();
      }),
      runs(0x5eed04, 60),
    );
  }, 30_000);

  it('rejects exactly the defective spans and keeps the rest', () => {
    const entry = fc.record({ model: spanModel, defect: fc.option(fc.constantFrom<Defect>(...PROTOBUF_DEFECTS), { nil: undefined, freq: 2 }) });
    check(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (entries) => {
        const ids = entries.map(() => ({ traceId: randomHex(16), spanId: randomHex(8) }));
        const bytes = protobufRequest([{ resource: [], scopeName: 'fuzz', spans: entries.map((e, i) => protobufSpan(e.model, ids[i], e.defect)) }]);
        const { spans, rejected } = decodeProtobuf(bytes);
        const good = ids.filter((_, i) => !entries[i].defect);
        expect(spans.map((s) => s.spanId)).toEqual(good.map((g) => g.spanId));
        expect(rejected.count).toBe(entries.length - good.length);
        expect(rejected.messages.length).toBeLessThanOrEqual(5);
        if (rejected.count) expect(rejected.messages.length).toBeGreaterThan(0);
      }),
      runs(0x5eed05, 200),
    );
  }, 30_000);

  it('names the reason for a string that is not UTF-8 and for nesting past the limit', () => {
    const model: SpanModel = { name: 'n', kind: 1, startNs: 1n, durationNs: 1n, attributes: [], events: [], status: { code: 0, message: '' } };
    const ids = { traceId: randomHex(16), spanId: randomHex(8) };
    const utf8 = decodeProtobuf(protobufRequest([{ resource: [], scopeName: 's', spans: [protobufSpan(model, ids, 'badUtf8Value')] }]));
    expect(utf8.rejected.messages).toEqual(['invalid span: a string field is not valid UTF-8']);
    const deep = decodeProtobuf(protobufRequest([{ resource: [], scopeName: 's', spans: [protobufSpan(model, ids, 'tooDeep')] }]));
    expect(deep.rejected.messages[0]).toMatch(/^invalid span: .*maximum recursion depth/);
    const resource = decodeProtobuf(protobufRequest([{ resource: [], scopeName: 's', spans: [protobufSpan(model, ids)], badResource: true }]));
    expect(resource).toEqual({ spans: [], rejected: { count: 1, messages: ['invalid resource: a string field is not valid UTF-8'] }, encoded: { groups: [], spans: [] } });
  });
});

/** The answer is 200 with an ExportTraceServiceResponse or 400 with a google.rpc.Status, both in protobuf. */
async function expectOtlpAnswer(res: Response): Promise<{ status: number; rejected: number }> {
  expect(res.headers.get('content-type')).toBe('application/x-protobuf');
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status === 400) {
    const status = fromBinary(RpcStatusSchema, body);
    expect(status.code).toBe(400);
    expect(status.message.length).toBeGreaterThan(0);
    return { status: 400, rejected: 0 };
  }
  expect(res.status).toBe(200);
  const answer = fromBinary(ExportTraceServiceResponseSchema, body);
  return { status: 200, rejected: Number(answer.partialSuccess?.rejectedSpans ?? 0n) };
}

describe('POST /v1/traces with hostile protobuf', () => {
  it('answers 200 or 400 with an OTLP body to random, truncated and bit-flipped bytes, never 5xx', async () => {
    const { key } = await makeProject(['ingest']);
    const mangled = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(goodRequest, fc.double({ min: 0, max: 1, noNaN: true })).map(([b, at]) => b.subarray(0, Math.floor(b.length * at))),
      fc.tuple(goodRequest, fc.nat(), fc.integer({ min: 0, max: 7 })).map(([b, i, bit]) => {
        const out = b.slice();
        out[i % out.length] ^= 1 << bit;
        return out;
      }),
    );
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(mangled, ENDPOINT_SHRINKS), async (bytes) => {
        await expectOtlpAnswer(await postOtlp(bytes, key, PROTOBUF));
        assertPrototypesClean();
      }),
      runs(0x5eed06, 60),
    );
  }, 60_000);

  it('stores every good span of a batch that mixes them with bad spans and bad resources, exactly as sent', async () => {
    const entry = fc.record({ model: spanModelWithHugeStrings, defect: fc.option(fc.constantFrom<Defect>(...PROTOBUF_DEFECTS), { nil: undefined, freq: 2 }) });
    const group = fc.record({ resource: attrs(3), entries: fc.array(entry, { minLength: 1, maxLength: 3 }), badResource: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) });
    let checked = 0;
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(fc.array(group, { minLength: 1, maxLength: 3 }), ENDPOINT_SHRINKS), async (groups) => {
        const { key } = await makeVerbatimProject();
        const planned = groups.map((g) => ({ ...g, ids: g.entries.map(() => ({ traceId: randomHex(16), spanId: randomHex(8) })) }));
        const body = protobufRequest(
          planned.map((g) => ({ resource: g.resource, scopeName: 'fuzz', badResource: g.badResource, spans: g.entries.map((e, i) => protobufSpan(e.model, g.ids[i], e.defect)) })),
        );
        const answer = await expectOtlpAnswer(await postOtlp(body, key, PROTOBUF));
        expect(answer.status).toBe(200);
        const good = planned.flatMap((g) => (g.badResource ? [] : g.entries.map((e, i) => ({ ...e, ids: g.ids[i], resource: g.resource })).filter((e) => !e.defect)));
        const total = planned.reduce((n, g) => n + g.entries.length, 0);
        expect(answer.rejected).toBe(total - good.length);
        checked += good.length;
        for (const g of good) {
          const res = await call('GET', `/api/v1/traces/${g.ids.traceId}`, { key });
          expect(res.status, res.text.slice(0, 300)).toBe(200);
          const span = res.body.spans.find((s: { spanId: string }) => s.spanId === g.ids.spanId);
          expect(span.name).toBe(expectedName(g.model.name, 'protobuf'));
          expectSameData(span.attributes, asJson(expectedAttributes(g.model.attributes, 'protobuf')), `attributes of ${g.ids.spanId}`);
          expectSameData(span.resource, asJson(expectedAttributes(g.resource, 'protobuf')), `resource of ${g.ids.spanId}`);
          const events = g.model.events.map((e) => ({ name: expectedName(e.name, 'protobuf'), attributes: expectedAttributes(e.attributes, 'protobuf') }));
          expectSameData(span.events.map((e: { name: string; attributes: unknown }) => ({ name: e.name, attributes: e.attributes })), asJson(events), `events of ${g.ids.spanId}`);
        }
        const rejectedIds = planned.flatMap((g) => g.ids.filter((_, i) => g.badResource || g.entries[i].defect));
        for (const ids of rejectedIds.slice(0, 2)) {
          expect((await call('GET', `/api/v1/traces/${ids.traceId}`, { key })).status).toBe(404);
        }
        assertPrototypesClean();
      }),
      runs(0x5eed07, 20),
    );
    // Not vacuous: most batches keep some spans, and each kept one was read back.
    expect(checked).toBeGreaterThan(10);
  }, 120_000);
});
