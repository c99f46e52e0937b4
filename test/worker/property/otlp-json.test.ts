import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../worker/ingest/body';
import { decodeJson, OtlpDecodeError } from '../../../worker/otlp/decode';
import type { DecodeResult } from '../../../worker/otlp/types';
import { call, makeProject, postOtlp } from '../helpers';
import { assertPrototypesClean, check, checkAsync, deepJson, deepJsonText, ENDPOINT_SHRINKS, expectSameData, hostileJson, makeVerbatimProject, runs } from './arbitraries';
import { applyMutations, mutations } from './json-mutate';
import { asJson, attrs, attrsHaveLoneSurrogate, attrsWithoutLone, deepJsonAnyValue, expectedAttributes, expectedName, JSON_DEFECTS, jsonRequest, jsonSpan, randomHex, spanHasLoneSurrogate, spanModel, spanModelWithHugeStrings, spanWithoutLone, type Attr, type Defect, type SpanModel } from './otlp-model';

/**
 * Hostile OTLP/JSON: random JSON and text, valid requests with fields replaced by wrong types,
 * hex ids of the wrong length, numbers as strings, huge arrays, nesting thousands of levels deep,
 * invalid UTF-8, gzip bombs. The decoder either decodes or throws its own OtlpDecodeError; the
 * endpoint answers 200 (partial success) or a 4xx with a google.rpc.Status, never a 5xx.
 * Each property has a fixed seed; a failure prints `{ seed, path }` to replay it with fc.assert.
 */

function decodeOrReject(text: string): DecodeResult | null {
  try {
    return decodeJson(text);
  } catch (err) {
    if (err instanceof OtlpDecodeError) return null;
    throw err;
  }
}

// OTLP/JSON rejects a span or resource holding a lone surrogate; one in four keeps theirs, the rest get U+FFFD.
const jsonModel = (arb: fc.Arbitrary<SpanModel>) => fc.tuple(arb, fc.nat(3)).map(([m, n]) => (n === 0 ? m : spanWithoutLone(m)));
const jsonAttrs = (max: number) => fc.tuple(attrs(max), fc.nat(3)).map(([a, n]): Attr[] => (n === 0 ? a : attrsWithoutLone(a)));

const goodSpans = fc.array(spanModel, { minLength: 1, maxLength: 4 }).map((models) =>
  JSON.parse(jsonRequest([{ resource: [], scopeName: 'fuzz', spans: models.map((m) => jsonSpan(m, { traceId: randomHex(16), spanId: randomHex(8) })) }])) as unknown,
);

/** What a reader of the OTLP answer sees: 200 with an ExportTraceServiceResponse, or a 4xx Status. */
async function expectOtlpJsonAnswer(res: Response): Promise<{ status: number; rejected: number; message?: string }> {
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = (await res.json()) as { code?: number; message?: string; partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
  if (res.status !== 200) {
    expect([400, 413, 415]).toContain(res.status);
    expect(body.code).toBe(res.status);
    expect(body.message?.length).toBeGreaterThan(0);
    return { status: res.status, rejected: 0, message: body.message };
  }
  return { status: 200, rejected: Number(body.partialSuccess?.rejectedSpans ?? 0), message: body.partialSuccess?.errorMessage };
}

describe('decodeJson on hostile input', () => {
  it('decodes or throws OtlpDecodeError for random JSON values and random text', () => {
    const body = fc.oneof(hostileJson.map((v) => JSON.stringify(v)), fc.string({ unit: 'binary', maxLength: 64 }), hostileJson.map((v) => JSON.stringify({ resourceSpans: v })));
    check(
      fc.property(body, (text) => {
        decodeOrReject(text);
        assertPrototypesClean();
      }),
      runs(0x5eed11, 1000),
    );
  });

  it('decodes or throws OtlpDecodeError for valid requests with fields replaced by wrong types', () => {
    check(
      fc.property(goodSpans, mutations, (request, list) => {
        const result = decodeOrReject(JSON.stringify(applyMutations(request, list)));
        for (const span of result?.spans ?? []) {
          expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(() => JSON.stringify(span)).not.toThrow();
        }
        assertPrototypesClean();
      }),
      runs(0x5eed12, 400),
    );
  }, 30_000);

  it('keeps hostile attribute keys and values (lone surrogates included) as plain data, exactly as sent', () => {
    check(
      fc.property(jsonModel(spanModelWithHugeStrings), jsonAttrs(4), (model, resource) => {
        const ids = { traceId: randomHex(16), spanId: randomHex(8) };
        const { spans, rejected } = decodeJson(jsonRequest([{ resource, scopeName: 'fuzz', spans: [jsonSpan(model, ids)] }]));
        if (attrsHaveLoneSurrogate(resource) || spanHasLoneSurrogate(model)) {
          expect(rejected.messages[0]).toMatch(/^invalid (span|resource): .*invalid UTF8$/);
          return;
        }
        expect(rejected).toEqual({ count: 0, messages: [] });
        const [span] = spans;
        expect(span.name).toBe(expectedName(model.name, 'json'));
        expectSameData(asJson(span.attributes), asJson(expectedAttributes(model.attributes, 'json')), 'attributes');
        expectSameData(asJson(span.resource), asJson(expectedAttributes(resource, 'json')), 'resource');
        expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
        assertPrototypesClean();
      }),
      runs(0x5eed13, 60),
    );
  }, 30_000);

  it('rejects exactly the defective spans and keeps the rest', () => {
    const entry = fc.record({ model: jsonModel(spanModel), defect: fc.option(fc.constantFrom<Defect>(...JSON_DEFECTS), { nil: undefined, freq: 2 }) });
    check(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), (entries) => {
        const ids = entries.map(() => ({ traceId: randomHex(16), spanId: randomHex(8) }));
        const { spans, rejected } = decodeJson(jsonRequest([{ resource: [], scopeName: 'fuzz', spans: entries.map((e, i) => jsonSpan(e.model, ids[i], e.defect)) }]));
        const bad = entries.map((e) => !!e.defect || spanHasLoneSurrogate(e.model));
        expect(spans.map((s) => s.spanId)).toEqual(ids.filter((_, i) => !bad[i]).map((g) => g.spanId));
        expect(rejected.count).toBe(bad.filter(Boolean).length);
        expect(rejected.messages.length).toBeLessThanOrEqual(5);
      }),
      runs(0x5eed14, 200),
    );
  }, 30_000);

  it('answers nesting thousands of levels deep with OtlpDecodeError or a rejection, never a stack overflow', () => {
    const places = fc.constantFrom('root', 'resourceSpans', 'scopeSpans', 'span', 'resource', 'attribute', 'anyValue');
    check(
      fc.property(deepJson, places, ({ depth, shape }, place) => {
        const deep = deepJsonText(depth, shape);
        const span = `{"traceId":"${randomHex(16)}","spanId":"${randomHex(8)}","startTimeUnixNano":"1","endTimeUnixNano":"2"`;
        const text = {
          root: deep,
          resourceSpans: `{"resourceSpans":${deep}}`,
          scopeSpans: `{"resourceSpans":[{"scopeSpans":${deep}}]}`,
          span: `{"resourceSpans":[{"scopeSpans":[{"spans":[${deep}]}]}]}`,
          resource: `{"resourceSpans":[{"resource":${deep},"scopeSpans":[{"spans":[${span}}]}]}]}`,
          attribute: `{"resourceSpans":[{"scopeSpans":[{"spans":[${span},"attributes":[{"key":"k","value":${deep}}]}]}]}]}`,
          anyValue: `{"resourceSpans":[{"scopeSpans":[{"spans":[${span},"attributes":[{"key":"k","value":${deepJsonAnyValue(depth)}}]}]}]}]}`,
        }[place];
        const result = decodeOrReject(text);
        // Unknown fields are skipped, so a deep object where a message goes decodes as an empty one;
        // a deep AnyValue is read, and stops at the decoder's depth limit.
        if (place === 'anyValue') expect(result?.rejected.count).toBe(1);
        for (const s of result?.spans ?? []) expect(() => JSON.stringify(s)).not.toThrow();
      }),
      runs(0x5eed15, 60),
    );
  }, 30_000);
});

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('POST /v1/traces with hostile JSON', () => {
  it('answers 200 or a 4xx Status to random JSON, random text, invalid UTF-8 and mutated requests, never 5xx', async () => {
    const { key } = await makeProject(['ingest']);
    const body = fc.oneof(
      hostileJson.map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.tuple(goodSpans, mutations).map(([r, m]) => JSON.stringify(applyMutations(r, m))),
      // Invalid UTF-8 inside a string of a valid request: read as U+FFFD, the span is kept.
      fc.tuple(goodSpans, fc.nat()).map(([r, n]) => {
        const text = new TextEncoder().encode(JSON.stringify(r));
        const quote = text.indexOf(0x22, n % text.length);
        if (quote >= 0) text[quote + 1] = 0xff;
        return text;
      }),
    );
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(body, ENDPOINT_SHRINKS), async (text) => {
        const answer = await expectOtlpJsonAnswer(await postOtlp(text, key));
        expect(answer.status).not.toBe(413);
        assertPrototypesClean();
      }),
      runs(0x5eed16, 60),
    );
  }, 60_000);

  it('stores every good span of a batch mixed with bad ones, exactly as sent', async () => {
    const entry = fc.record({ model: jsonModel(spanModelWithHugeStrings), defect: fc.option(fc.constantFrom<Defect>(...JSON_DEFECTS), { nil: undefined, freq: 2 }) });
    const group = fc.record({ resource: jsonAttrs(3), entries: fc.array(entry, { minLength: 1, maxLength: 3 }) });
    let checked = 0;
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(fc.array(group, { minLength: 1, maxLength: 3 }), ENDPOINT_SHRINKS), async (groups) => {
        const { key } = await makeVerbatimProject();
        const planned = groups.map((g) => ({ ...g, ids: g.entries.map(() => ({ traceId: randomHex(16), spanId: randomHex(8) })) }));
        const body = jsonRequest(planned.map((g) => ({ resource: g.resource, scopeName: 'fuzz', spans: g.entries.map((e, i) => jsonSpan(e.model, g.ids[i], e.defect)) })));
        const answer = await expectOtlpJsonAnswer(await postOtlp(body, key));
        expect(answer.status).toBe(200);
        const good = planned.flatMap((g) =>
          attrsHaveLoneSurrogate(g.resource) ? [] : g.entries.map((e, i) => ({ ...e, ids: g.ids[i], resource: g.resource })).filter((e) => !e.defect && !spanHasLoneSurrogate(e.model)),
        );
        expect(answer.rejected).toBe(planned.reduce((n, g) => n + g.entries.length, 0) - good.length);
        checked += good.length;
        for (const g of good) {
          const res = await call('GET', `/api/v1/traces/${g.ids.traceId}`, { key });
          expect(res.status, res.text.slice(0, 300)).toBe(200);
          const span = res.body.spans.find((s: { spanId: string }) => s.spanId === g.ids.spanId);
          expect(span.name).toBe(expectedName(g.model.name, 'json'));
          expectSameData(span.attributes, asJson(expectedAttributes(g.model.attributes, 'json')), `attributes of ${g.ids.spanId}`);
          expectSameData(span.resource, asJson(expectedAttributes(g.resource, 'json')), `resource of ${g.ids.spanId}`);
          const events = g.model.events.map((e) => ({ name: expectedName(e.name, 'json'), attributes: expectedAttributes(e.attributes, 'json') }));
          expectSameData(span.events.map((e: { name: string; attributes: unknown }) => ({ name: e.name, attributes: e.attributes })), asJson(events), `events of ${g.ids.spanId}`);
        }
        assertPrototypesClean();
      }),
      runs(0x5eed17, 15),
    );
    // Not vacuous: most batches keep some spans, and each kept one was read back.
    expect(checked).toBeGreaterThan(10);
  }, 120_000);

  it('stores every good span of a hostile batch with every redaction rule on', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const redaction = {
      detectors: { secrets: true, creditCard: true, email: true, phone: true },
      customPatterns: [{ name: 'ticket', pattern: '[A-Z]{2,}-\\d+' }],
      dropAttributes: ['__proto__', 'constructor*', 'service.name'],
    };
    const patched = await call('PATCH', `/api/v1/projects/${projectId}`, { key }, { redaction });
    expect(patched.status, patched.text).toBe(200);
    let checked = 0;
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(fc.array(jsonModel(spanModel), { minLength: 1, maxLength: 4 }), ENDPOINT_SHRINKS), jsonAttrs(3), async (models, resource) => {
        const ids = models.map(() => ({ traceId: randomHex(16), spanId: randomHex(8) }));
        const body = jsonRequest([{ resource, scopeName: 'fuzz', spans: models.map((m, i) => jsonSpan(m, ids[i])) }]);
        const answer = await expectOtlpJsonAnswer(await postOtlp(body, key));
        const kept = ids.filter((_, i) => !attrsHaveLoneSurrogate(resource) && !spanHasLoneSurrogate(models[i]));
        expect([answer.status, answer.rejected]).toEqual([200, ids.length - kept.length]);
        checked += kept.length;
        for (const id of kept) {
          const res = await call('GET', `/api/v1/traces/${id.traceId}`, { key });
          expect(res.status, res.text.slice(0, 300)).toBe(200);
          const span = res.body.spans.find((s: { spanId: string }) => s.spanId === id.spanId);
          expect(Object.hasOwn(span.attributes, '__proto__')).toBe(false);
          expect(Object.keys(span.resource).filter((k) => k.startsWith('constructor') || k === 'service.name')).toEqual([]);
        }
        assertPrototypesClean();
      }),
      runs(0x5eed18, 15),
    );
    expect(checked).toBeGreaterThan(10);
  }, 120_000);

  it('answers nesting thousands of levels deep with 400 or a partial success, never 5xx', async () => {
    const { key } = await makeProject(['ingest']);
    for (const depth of [1_000, 10_000, 100_000]) {
      for (const shape of ['array', 'object', 'mixed'] as const) {
        const deep = deepJsonText(depth, shape);
        // An array is no request (400); an object with only unknown keys is an empty one.
        const root = await expectOtlpJsonAnswer(await postOtlp(deep, key));
        expect(root.status).toBe(shape === 'object' ? 200 : 400);
        const span = `{"traceId":"${randomHex(16)}","spanId":"${randomHex(8)}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":${deep}}]}`;
        const inSpan = await expectOtlpJsonAnswer(await postOtlp(`{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`, key));
        expect([inSpan.status, inSpan.rejected]).toEqual([200, shape === 'object' ? 0 : 1]);
      }
      const anyValue = `{"traceId":"${randomHex(16)}","spanId":"${randomHex(8)}","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":${deepJsonAnyValue(depth)}}]}`;
      const nested = await expectOtlpJsonAnswer(await postOtlp(`{"resourceSpans":[{"scopeSpans":[{"spans":[${anyValue}]}]}]}`, key));
      expect([nested.status, nested.rejected, nested.message]).toEqual([200, 1, expect.stringMatching(/maximum recursion depth/)]);
    }
  }, 60_000);

  it('answers huge arrays of spans and attributes quickly, counting every rejection', async () => {
    const { key } = await makeProject(['ingest', 'read']);
    const spans = Array.from({ length: 50_000 }, () => ({ traceId: 'abc', spanId: 12 }));
    const started = Date.now();
    const many = await expectOtlpJsonAnswer(await postOtlp(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }), key));
    expect([many.status, many.rejected]).toEqual([200, 50_000]);
    expect(many.message?.length).toBeLessThan(1200);
    const traceId = randomHex(16);
    const attributes = Array.from({ length: 100_000 }, (_, i) => ({ key: `k${i % 50_000}`, value: { intValue: String(i) } }));
    const span = { traceId, spanId: randomHex(8), startTimeUnixNano: '1', endTimeUnixNano: '2', attributes };
    const wide = await expectOtlpJsonAnswer(await postOtlp(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), key));
    expect([wide.status, wide.rejected]).toEqual([200, 0]);
    const stored = await call('GET', `/api/v1/traces/${traceId}`, { key });
    expect(stored.status).toBe(200);
    // A repeated key keeps its last value.
    expect([Object.keys(stored.body.spans[0].attributes).length, stored.body.spans[0].attributes.k0]).toEqual([50_000, 50_000]);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('answers a gzip bomb with 413 quickly, and broken or unknown encodings with a 4xx', async () => {
    const { key } = await makeProject(['ingest']);
    const bomb = await gzip(new Uint8Array(MAX_BODY_BYTES * 4));
    expect(bomb.byteLength).toBeLessThan(200_000);
    const started = Date.now();
    const res = await postOtlp(bomb, key, { 'content-encoding': 'gzip' });
    const elapsed = Date.now() - started;
    expect((await expectOtlpJsonAnswer(res)).status).toBe(413);
    expect(elapsed).toBeLessThan(5_000);
    // Just over the limit once inflated, and as sent.
    expect((await expectOtlpJsonAnswer(await postOtlp(await gzip(new Uint8Array(MAX_BODY_BYTES + 1)), key, { 'content-encoding': 'gzip' }))).status).toBe(413);
    expect((await expectOtlpJsonAnswer(await postOtlp(new Uint8Array(MAX_BODY_BYTES + 1), key))).status).toBe(413);
    // Exactly at the limit is read (and is not JSON).
    expect((await expectOtlpJsonAnswer(await postOtlp(await gzip(new Uint8Array(MAX_BODY_BYTES).fill(0x20)), key, { 'content-encoding': 'gzip' }))).status).toBe(400);
    await checkAsync(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), async (bytes, cut) => {
        const good = await gzip(new TextEncoder().encode('{"resourceSpans":[]}'));
        const broken = [bytes, good.subarray(0, cut % good.length), new Uint8Array([...good.subarray(0, 10), ...bytes])][cut % 3];
        const answer = await expectOtlpJsonAnswer(await postOtlp(broken, key, { 'content-encoding': 'gzip' }));
        expect(answer.status).toBe(400);
      }),
      runs(0x5eed19, 30),
    );
    for (const encoding of ['br', 'deflate', 'gzip, br', 'x-gzip', 'zstd']) {
      expect((await expectOtlpJsonAnswer(await postOtlp('{}', key, { 'content-encoding': encoding }))).status).toBe(415);
    }
    expect((await expectOtlpJsonAnswer(await postOtlp(await gzip(new TextEncoder().encode('{}')), key, { 'content-encoding': 'gzip' }))).status).toBe(200);
  }, 60_000);
});
