import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeJson, decodeProtobuf, OtlpDecodeError } from '../../../worker/otlp/decode';
import { ExportTraceServiceRequestSchema } from '../../../worker/otlp/gen/otlp_pb';
import { MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTE_DEPTH } from '../../../worker/otlp/limits';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const SPAN_ID = 'eee19b7ec3c1b174';
const PARENT_ID = 'eee19b7ec3c1b173';

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

/** One OTLP/JSON span with valid defaults; `overrides` replaces fields. */
function jsonSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001500000000',
    ...overrides,
  };
}

function jsonBody(spans: unknown[], resourceAttributes: unknown[] = []): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'sdk' }, spans }] }],
  });
}

describe('decodeProtobuf', () => {
  it('round-trips a request built with the generated schema', () => {
    const request = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { value: { case: 'stringValue', value: 'checkout' } } }] },
          scopeSpans: [
            {
              scope: { name: 'openai-instrumentation', version: '1.2.3' },
              spans: [
                {
                  traceId: hexBytes(TRACE_ID),
                  spanId: hexBytes(SPAN_ID),
                  parentSpanId: hexBytes(PARENT_ID),
                  traceState: 'vendor=1',
                  name: 'chat gpt-4o',
                  kind: 3,
                  startTimeUnixNano: 1_700_000_000_123_456_789n,
                  endTimeUnixNano: 1_700_000_001_000_000_000n,
                  attributes: [
                    { key: 's', value: { value: { case: 'stringValue', value: 'text' } } },
                    { key: 'b', value: { value: { case: 'boolValue', value: true } } },
                    { key: 'i', value: { value: { case: 'intValue', value: 42n } } },
                    { key: 'big', value: { value: { case: 'intValue', value: 9_007_199_254_740_993n } } },
                    { key: 'd', value: { value: { case: 'doubleValue', value: 0.5 } } },
                    { key: 'nan', value: { value: { case: 'doubleValue', value: Number.NaN } } },
                    { key: 'bytes', value: { value: { case: 'bytesValue', value: new Uint8Array([1, 2, 3]) } } },
                    {
                      key: 'arr',
                      value: {
                        value: {
                          case: 'arrayValue',
                          value: { values: [{ value: { case: 'stringValue', value: 'a' } }, { value: { case: 'intValue', value: 1n } }] },
                        },
                      },
                    },
                    {
                      key: 'kv',
                      value: {
                        value: {
                          case: 'kvlistValue',
                          value: { values: [{ key: 'inner', value: { value: { case: 'boolValue', value: false } } }] },
                        },
                      },
                    },
                    { key: 'empty', value: {} },
                  ],
                  events: [
                    {
                      timeUnixNano: 1_700_000_000_500_000_000n,
                      name: 'gen_ai.user.message',
                      attributes: [{ key: 'content', value: { value: { case: 'stringValue', value: 'hi' } } }],
                    },
                  ],
                  links: [{ traceId: hexBytes(TRACE_ID), spanId: hexBytes(PARENT_ID), attributes: [] }],
                  status: { code: 2, message: 'rate limited' },
                  droppedAttributesCount: 3,
                },
              ],
            },
          ],
        },
      ],
    });

    const { spans, rejected } = decodeProtobuf(toBinary(ExportTraceServiceRequestSchema, request));

    expect(rejected).toEqual({ count: 0, messages: [] });
    expect(spans).toHaveLength(1);
    const span = spans[0];
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      traceState: 'vendor=1',
      name: 'chat gpt-4o',
      kind: 'client',
      startTimeUnixNano: '1700000000123456789',
      endTimeUnixNano: '1700000001000000000',
      // Milliseconds keep microsecond precision.
      startMs: 1_700_000_000_123.456,
      endMs: 1_700_000_001_000,
      status: { code: 'error', message: 'rate limited' },
      resource: { 'service.name': 'checkout' },
      scope: { name: 'openai-instrumentation', version: '1.2.3' },
      dropped: { attributes: 3 },
    });
    expect(span.attributes).toEqual({
      s: 'text',
      b: true,
      i: 42,
      big: '9007199254740993',
      d: 0.5,
      nan: 'NaN',
      bytes: 'AQID',
      arr: ['a', 1],
      kv: { inner: false },
      empty: null,
    });
    expect(span.events).toEqual([
      { timeUnixNano: '1700000000500000000', timeMs: 1_700_000_000_500, name: 'gen_ai.user.message', attributes: { content: 'hi' } },
    ]);
    expect(span.links).toEqual([{ traceId: TRACE_ID, spanId: PARENT_ID, attributes: {} }]);
  });

  it('throws OtlpDecodeError on bytes that are not a protobuf message', () => {
    // Field 1, length-delimited, claiming far more bytes than follow.
    expect(() => decodeProtobuf(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]))).toThrow(OtlpDecodeError);
    expect(() => decodeProtobuf(new TextEncoder().encode('{"resourceSpans":[]}'))).toThrow(/malformed OTLP protobuf/);
  });

  it('accepts an empty body as an empty request', () => {
    expect(decodeProtobuf(new Uint8Array())).toEqual({ spans: [], rejected: { count: 0, messages: [] }, encoded: { groups: [], spans: [] } });
  });

  it('rejects invalid spans and keeps the valid ones', () => {
    const span = (overrides: object) => ({
      traceId: hexBytes(TRACE_ID),
      spanId: hexBytes(SPAN_ID),
      startTimeUnixNano: 10n,
      endTimeUnixNano: 20n,
      ...overrides,
    });
    const request = create(ExportTraceServiceRequestSchema, {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({ name: 'good' }),
                span({ traceId: new Uint8Array(16) }),
                span({ spanId: hexBytes('0102') }),
                span({ parentSpanId: hexBytes('01020304') }),
                span({ startTimeUnixNano: 0n }),
                span({ endTimeUnixNano: 5n }),
                span({ name: 'root', parentSpanId: new Uint8Array(8) }),
              ],
            },
          ],
        },
      ],
    });
    const { spans, rejected } = decodeProtobuf(toBinary(ExportTraceServiceRequestSchema, request));
    expect(spans.map((s) => [s.name, s.parentSpanId])).toEqual([
      ['good', null],
      ['root', null],
    ]);
    expect(rejected.count).toBe(5);
    expect(rejected.messages).toEqual([
      'invalid trace id: must be 16 bytes and not all zero',
      'invalid span id: must be 8 bytes and not all zero',
      'invalid parent span id: must be empty or 8 bytes',
      'missing start time',
      'end time before start time',
    ]);
  });
});

describe('decodeJson', () => {
  it('reads hex ids, numeric enums and int64 strings', () => {
    const body = jsonBody(
      [
        jsonSpan({
          parentSpanId: PARENT_ID.toUpperCase(),
          status: { code: 2, message: 'boom' },
          attributes: [
            { key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } },
            { key: 'huge', value: { intValue: '18446744073709551' } },
            { key: 'ratio', value: { doubleValue: 0.25 } },
            { key: 'blob', value: { bytesValue: 'AQID' } },
            { key: 'list', value: { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: true }] } } },
          ],
          events: [{ timeUnixNano: 1_700_000_000_200_000_000, name: 'exception', attributes: [] }],
          links: [{ traceId: TRACE_ID, spanId: PARENT_ID }],
        }),
      ],
      [{ key: 'service.name', value: { stringValue: 'api' } }],
    );
    const { spans, rejected } = decodeJson(body);
    expect(rejected.count).toBe(0);
    expect(spans[0]).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      parentSpanId: PARENT_ID,
      kind: 'client',
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000001500000000',
      startMs: 1_700_000_000_000,
      endMs: 1_700_000_001_500,
      status: { code: 'error', message: 'boom' },
      attributes: {
        'gen_ai.usage.input_tokens': 120,
        huge: '18446744073709551',
        ratio: 0.25,
        blob: 'AQID',
        list: ['x', true],
      },
      links: [{ traceId: TRACE_ID, spanId: PARENT_ID, attributes: {} }],
      resource: { 'service.name': 'api' },
      scope: { name: 'sdk' },
    });
    expect(spans[0].events[0]).toMatchObject({ name: 'exception', timeMs: 1_700_000_000_200 });
  });

  it('accepts snake_case keys and enum names', () => {
    const body = JSON.stringify({
      resource_spans: [
        {
          scope_spans: [
            {
              spans: [
                {
                  trace_id: TRACE_ID,
                  span_id: SPAN_ID,
                  parent_span_id: '',
                  name: 'snake',
                  kind: 'SPAN_KIND_SERVER',
                  start_time_unix_nano: 5,
                  end_time_unix_nano: '6',
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    });
    const [span] = decodeJson(body).spans;
    expect(span).toMatchObject({ name: 'snake', kind: 'server', parentSpanId: null, startTimeUnixNano: '5', endTimeUnixNano: '6' });
    expect(span.status).toEqual({ code: 'ok' });
  });

  it('rejects each bad span with a reason and keeps the good ones', () => {
    const body = jsonBody([
      jsonSpan({ name: 'first good' }),
      jsonSpan({ traceId: '0102' }),
      jsonSpan({ spanId: '0000000000000000' }),
      jsonSpan({ endTimeUnixNano: '1' }),
      jsonSpan({ name: 5 }),
      jsonSpan({ traceId: 'zz'.repeat(16) }),
      jsonSpan({ attributes: 'not a list' }),
      'not a span',
      jsonSpan({ name: 'second good', spanId: PARENT_ID }),
    ]);
    const { spans, rejected } = decodeJson(body);
    expect(spans.map((s) => s.name)).toEqual(['first good', 'second good']);
    expect(rejected.count).toBe(7);
    expect(rejected.messages).toHaveLength(5);
    expect(rejected.messages.slice(0, 4)).toEqual([
      'invalid trace id: must be 16 bytes and not all zero',
      'invalid span id: must be 8 bytes and not all zero',
      'end time before start time',
      'invalid span: cannot decode field Span.name from JSON: expected string, got 5',
    ]);
    expect(rejected.messages[4]).toMatch(/traceId is not valid hex/);
  });

  it('counts a repeated reason once in the messages but every time in the count', () => {
    const body = jsonBody([jsonSpan({ traceId: '00' }), jsonSpan({ traceId: '01' }), jsonSpan({ traceId: '02' })]);
    expect(decodeJson(body).rejected).toEqual({
      count: 3,
      messages: ['invalid trace id: must be 16 bytes and not all zero'],
    });
  });

  it('rejects the spans under a resource that does not decode, not the rest', () => {
    const body = JSON.stringify({
      resourceSpans: [
        { resource: { attributes: 'bad' }, scopeSpans: [{ spans: [jsonSpan(), jsonSpan()] }] },
        { scopeSpans: [{ spans: [jsonSpan({ name: 'kept' })] }] },
      ],
    });
    const { spans, rejected } = decodeJson(body);
    expect(spans.map((s) => s.name)).toEqual(['kept']);
    expect(rejected.count).toBe(2);
    expect(rejected.messages[0]).toMatch(/^invalid resource:/);
  });

  it('throws OtlpDecodeError when the body is not OTLP/JSON', () => {
    expect(() => decodeJson('{not json')).toThrow(OtlpDecodeError);
    expect(() => decodeJson('[]')).toThrow(/must be an object/);
    expect(() => decodeJson('{"resourceSpans": {}}')).toThrow(/resourceSpans must be an array/);
    expect(() => decodeJson('{"resourceSpans": [1]}')).toThrow(/resourceSpans\[0\] must be an object/);
  });

  it('treats a body without resourceSpans as an empty export', () => {
    expect(decodeJson('{}')).toEqual({ spans: [], rejected: { count: 0, messages: [] } });
  });
});

describe('attribute safety and limits', () => {
  it('keeps a "__proto__" key as an own property without touching any prototype', () => {
    const attributes = [
      { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
      { key: 'nested', value: { kvlistValue: { values: [{ key: '__proto__', value: { stringValue: 'x' } }] } } },
    ];
    const [span] = decodeJson(jsonBody([jsonSpan({ attributes })])).spans;
    expect(Object.hasOwn(span.attributes, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(span.attributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value).toEqual({ polluted: true });
    const nested = span.attributes.nested as Record<string, unknown>;
    expect(Object.hasOwn(nested, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A stored span must survive the JSON round trip through R2 with the key intact.
    expect(Object.hasOwn(JSON.parse(JSON.stringify(span)).attributes, '__proto__')).toBe(true);
  });

  it('truncates long string values with a marker and long span names', () => {
    const long = 'a'.repeat(MAX_ATTRIBUTE_CHARS + 10);
    const [span] = decodeJson(
      jsonBody([jsonSpan({ name: 'n'.repeat(2000), attributes: [{ key: 'prompt', value: { stringValue: long } }] })]),
    ).spans;
    const value = span.attributes.prompt as string;
    expect(value.startsWith('a'.repeat(MAX_ATTRIBUTE_CHARS))).toBe(true);
    expect(value.slice(MAX_ATTRIBUTE_CHARS)).toBe('…[truncated 10 chars]');
    expect(span.name).toBe(`${'n'.repeat(1023)}…`);
  });

  it('replaces values nested deeper than the limit', () => {
    let value: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < MAX_ATTRIBUTE_DEPTH + 5; i++) value = { arrayValue: { values: [value] } };
    const [span] = decodeJson(jsonBody([jsonSpan({ attributes: [{ key: 'deep', value }] })])).spans;
    let node: unknown = span.attributes.deep;
    let depth = 0;
    while (Array.isArray(node)) {
      node = node[0];
      depth++;
    }
    expect(depth).toBe(MAX_ATTRIBUTE_DEPTH);
    expect(node).toBe('[max depth]');
  });
});
