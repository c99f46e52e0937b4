import { create, toBinary } from '@bufbuild/protobuf';
import { type AnyValue, AnyValueSchema, InstrumentationScopeSchema, type KeyValue, ResourceSchema, SpanSchema } from './gen/otlp_pb';
import { hexToBytes as maybeBytes } from './hex';
import type { AttrValue, Attributes, NormalizedSpan } from './types';

/**
 * Encodes stored spans back to OTLP protobuf: for spans that did not arrive as protobuf (OTLP/JSON)
 * or that redaction changed. Decoding the result with decodeProtobuf gives the same NormalizedSpan
 * (tested as a property); spans that arrive as protobuf and need no change are stored as received.
 */

const hexToBytes = (hex: string): Uint8Array => maybeBytes(hex) ?? new Uint8Array(0);

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const CODES = ['unset', 'ok', 'error'];

function anyValue(v: AttrValue): AnyValue {
  if (typeof v === 'string') return create(AnyValueSchema, { value: { case: 'stringValue', value: v } });
  if (typeof v === 'boolean') return create(AnyValueSchema, { value: { case: 'boolValue', value: v } });
  if (typeof v === 'number') {
    return create(AnyValueSchema, Number.isSafeInteger(v) && !Object.is(v, -0)
      ? { value: { case: 'intValue', value: BigInt(v) } }
      : { value: { case: 'doubleValue', value: v } });
  }
  if (Array.isArray(v)) return create(AnyValueSchema, { value: { case: 'arrayValue', value: { values: v.map(anyValue) } } });
  if (v && typeof v === 'object') return create(AnyValueSchema, { value: { case: 'kvlistValue', value: { values: keyValues(v) } } });
  return create(AnyValueSchema, {});
}

function keyValues(attrs: Attributes): KeyValue[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }) as KeyValue);
}

/** One span as an encoded OTLP `Span` message (resource and scope are encoded on their own). */
export function encodeSpan(s: NormalizedSpan): Uint8Array {
  return toBinary(
    SpanSchema,
    create(SpanSchema, {
      traceId: hexToBytes(s.traceId),
      spanId: hexToBytes(s.spanId),
      parentSpanId: s.parentSpanId ? hexToBytes(s.parentSpanId) : new Uint8Array(0),
      traceState: s.traceState ?? '',
      name: s.name,
      kind: Math.max(0, KINDS.indexOf(s.kind)),
      startTimeUnixNano: BigInt(s.startTimeUnixNano),
      endTimeUnixNano: BigInt(s.endTimeUnixNano),
      attributes: keyValues(s.attributes),
      droppedAttributesCount: s.dropped?.attributes ?? 0,
      events: s.events.map((e) => ({ timeUnixNano: BigInt(e.timeUnixNano), name: e.name, attributes: keyValues(e.attributes) })),
      droppedEventsCount: s.dropped?.events ?? 0,
      links: s.links.map((l) => ({ traceId: hexToBytes(l.traceId), spanId: hexToBytes(l.spanId), traceState: l.traceState ?? '', attributes: keyValues(l.attributes) })),
      droppedLinksCount: s.dropped?.links ?? 0,
      status: { code: Math.max(0, CODES.indexOf(s.status.code)), message: s.status.message ?? '' },
    }),
  );
}

export function encodeResource(resource: Attributes): Uint8Array {
  return toBinary(ResourceSchema, create(ResourceSchema, { attributes: keyValues(resource) }));
}

export function encodeScope(scope: NormalizedSpan['scope']): Uint8Array {
  return toBinary(
    InstrumentationScopeSchema,
    create(InstrumentationScopeSchema, { name: scope.name, version: scope.version ?? '', attributes: keyValues(scope.attributes ?? {}) }),
  );
}

/** Bytes of a length-delimited field: tag, length, value. */
function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

const fieldSize = (len: number) => 1 + varintLength(len) + len;

/** The encoded resource and scope a run of spans shares. */
export interface EncodedGroup {
  resource: Uint8Array;
  scope: Uint8Array;
}

/**
 * An ExportTraceServiceRequest of already-encoded parts: for each group one ResourceSpans with one
 * ScopeSpans holding its spans. Only framing is written; the parts are copied as they are.
 */
export function frameRequest(groups: { group: EncodedGroup; spans: Uint8Array[] }[]): Uint8Array {
  const sizes = groups.map(({ group, spans }) => {
    let scopeSpans = fieldSize(group.scope.byteLength);
    for (const s of spans) scopeSpans += fieldSize(s.byteLength);
    const resourceSpans = fieldSize(group.resource.byteLength) + fieldSize(scopeSpans);
    return { scopeSpans, resourceSpans };
  });
  const total = sizes.reduce((n, s) => n + fieldSize(s.resourceSpans), 0);
  const out = new Uint8Array(total);
  let at = 0;
  const field = (tag: number, len: number) => {
    out[at++] = tag;
    at = writeVarint(out, at, len);
  };
  const bytes = (tag: number, b: Uint8Array) => {
    field(tag, b.byteLength);
    out.set(b, at);
    at += b.byteLength;
  };
  groups.forEach(({ group, spans }, i) => {
    field(0x0a, sizes[i].resourceSpans); // ExportTraceServiceRequest.resource_spans = 1
    bytes(0x0a, group.resource); // ResourceSpans.resource = 1
    field(0x12, sizes[i].scopeSpans); // ResourceSpans.scope_spans = 2
    bytes(0x0a, group.scope); // ScopeSpans.scope = 1
    for (const s of spans) bytes(0x12, s); // ScopeSpans.spans = 2
  });
  return out;
}
