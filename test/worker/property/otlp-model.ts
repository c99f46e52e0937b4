import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { base64Encode, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { AnyValueSchema, KeyValueSchema, SpanSchema } from '../../../worker/otlp/gen/otlp_pb';
import { MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTE_DEPTH, MAX_DEPTH_MARKER, truncateName, truncateString } from '../../../worker/otlp/limits';
import { hostileKey, hostileString } from './arbitraries';

/**
 * A neutral model of OTLP spans for the property tests, with encoders to protobuf (through the
 * generated schema, plus raw wire bytes for what the schema cannot express: invalid UTF-8, nesting
 * past the decoder's limit) and to OTLP/JSON, and the attributes a reader must get back.
 */

export type Val =
  | { t: 'string'; v: string }
  | { t: 'huge'; v: { n: number; unit: string } }
  | { t: 'bool'; v: boolean }
  | { t: 'int'; v: bigint }
  | { t: 'double'; v: number }
  | { t: 'bytes'; v: Uint8Array }
  | { t: 'array'; v: Val[] }
  | { t: 'kvlist'; v: Attr[] }
  | { t: 'empty' };
export interface Attr {
  key: string;
  value: Val;
}
export interface SpanModel {
  name: string;
  kind: number;
  startNs: bigint;
  durationNs: bigint;
  attributes: Attr[];
  events: { name: string; offsetNs: bigint; attributes: Attr[] }[];
  status: { code: number; message: string };
}
export interface SpanIds {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}
export type Format = 'protobuf' | 'json';

/** Ways a span is wrong. The first group is wrong in either encoding; the rest in one only. */
export const COMMON_DEFECTS = ['zeroTraceId', 'shortTraceId', 'zeroSpanId', 'longSpanId', 'badParentId', 'noStart', 'endBeforeStart', 'tooDeep'] as const;
export const PROTOBUF_DEFECTS = [...COMMON_DEFECTS, 'badUtf8Name', 'badUtf8Key', 'badUtf8Value'] as const;
export const JSON_DEFECTS = [...COMMON_DEFECTS, 'idNotHex', 'idIsNumber', 'timeNotNumber', 'attributesNotArray', 'kindIsObject', 'spanIsArray'] as const;
export type Defect = (typeof PROTOBUF_DEFECTS)[number] | (typeof JSON_DEFECTS)[number];

// Ranges chosen to include the edges: int64 min/max, non-finite doubles, the attribute length limit.
// Kept as (unit, length) until encoded, so a failing case prints in a line, not a megabyte.
const hugeString = fc.record({
  n: fc.integer({ min: MAX_ATTRIBUTE_CHARS - 2, max: MAX_ATTRIBUTE_CHARS + 3 }),
  unit: fc.constantFrom('x', '😀', 'é'),
});
const expand = (h: { n: number; unit: string }): string => h.unit.repeat(Math.ceil(h.n / h.unit.length)).slice(0, h.n);

const scalar: fc.Arbitrary<Val> = fc.oneof(
  { weight: 6, arbitrary: hostileString().map((v) => ({ t: 'string' as const, v })) },
  { weight: 1, arbitrary: fc.boolean().map((v) => ({ t: 'bool' as const, v })) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ t: 'int' as const, v })) },
  { weight: 2, arbitrary: fc.double().map((v) => ({ t: 'double' as const, v })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((v) => ({ t: 'bytes' as const, v })) },
  { weight: 1, arbitrary: fc.constant({ t: 'empty' as const }) },
);

export const val: fc.Arbitrary<Val> = fc.letrec<{ val: Val }>((tie) => ({
  val: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('val'), { maxLength: 4 }).map((v) => ({ t: 'array' as const, v })),
    fc.array(fc.record({ key: hostileKey, value: tie('val') }), { maxLength: 4 }).map((v) => ({ t: 'kvlist' as const, v })),
  ),
})).val;

/** Arrays and key-value lists nested `depth` deep, alternating as `pattern` says. */
export function nested(depth: number, pattern: boolean[]): Val {
  let v: Val = { t: 'string', v: 'bottom' };
  for (let i = 0; i < depth; i++) {
    v = pattern[i % pattern.length] ? { t: 'array', v: [v] } : { t: 'kvlist', v: [{ key: '__proto__', value: v }] };
  }
  return v;
}

/** Attributes with hostile keys and values; `huge` mixes in strings around MAX_ATTRIBUTE_CHARS (slow: keep runs few). */
export const attrs = (maxLength = 6, huge = false): fc.Arbitrary<Attr[]> => {
  const options: fc.WeightedArbitrary<Attr>[] = [
    { weight: 12, arbitrary: fc.record({ key: hostileKey, value: val }) },
    // Within the decoders' limit of 100 nested messages (a key-value list costs three, an array two),
    // so the span is kept and the value is cut at MAX_ATTRIBUTE_DEPTH.
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 20, max: 30 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 })).map(([d, p]) => ({ key: 'nested', value: nested(d, p) })) },
    { weight: 1, arbitrary: fc.integer({ min: 32, max: 45 }).map((d) => ({ key: 'nested', value: nested(d, [true]) })) },
  ];
  if (huge) options.push({ weight: 3, arbitrary: fc.record({ key: hostileKey, value: hugeString.map((v) => ({ t: 'huge' as const, v })) }) });
  return fc.array(fc.oneof(...options), { maxLength });
};

const spanModelOf = (huge: boolean): fc.Arbitrary<SpanModel> =>
  fc.record({
    name: fc.oneof({ weight: 6, arbitrary: hostileString() }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1020, maxLength: 1100 }) }),
    kind: fc.integer({ min: 0, max: 9 }),
    startNs: fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 62n }), fc.constantFrom(1n, 2n ** 63n, 2n ** 64n - 1n)),
    durationNs: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constant(0n)),
    attributes: attrs(6, huge),
    events: fc.array(fc.record({ name: hostileString(), offsetNs: fc.bigInt({ min: 0n, max: 10n ** 9n }), attributes: attrs(3) }), { maxLength: 2 }),
    status: fc.record({ code: fc.integer({ min: 0, max: 4 }), message: hostileString() }),
  });

export const spanModel = spanModelOf(false);
/** Like spanModel, with attribute strings around MAX_ATTRIBUTE_CHARS mixed in. */
export const spanModelWithHugeStrings = spanModelOf(true);

const MAX_NS = 2n ** 64n - 1n;
const endOf = (m: SpanModel) => (m.startNs + m.durationNs > MAX_NS ? MAX_NS : m.startNs + m.durationNs);
const clampNs = (n: bigint) => (n > MAX_NS ? MAX_NS : n);

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));

// ---------- protobuf ----------

type AnyValueInit = MessageInitShape<typeof AnyValueSchema>;
type KeyValueInit = MessageInitShape<typeof KeyValueSchema>;

function anyValueInit(v: Val): AnyValueInit {
  switch (v.t) {
    case 'string':
      return { value: { case: 'stringValue', value: v.v } };
    case 'huge':
      return { value: { case: 'stringValue', value: expand(v.v) } };
    case 'bool':
      return { value: { case: 'boolValue', value: v.v } };
    case 'int':
      return { value: { case: 'intValue', value: v.v } };
    case 'double':
      return { value: { case: 'doubleValue', value: v.v } };
    case 'bytes':
      return { value: { case: 'bytesValue', value: v.v } };
    case 'array':
      return { value: { case: 'arrayValue', value: { values: v.v.map(anyValueInit) } } };
    case 'kvlist':
      return { value: { case: 'kvlistValue', value: { values: v.v.map(keyValueInit) } } };
    case 'empty':
      return {};
  }
}
const keyValueInit = (a: Attr): KeyValueInit => ({ key: a.key, value: anyValueInit(a.value) });

const INVALID_UTF8 = [new Uint8Array([0xff]), new Uint8Array([0xc3, 0x28]), new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]), new Uint8Array([0x61, 0xe2, 0x82])];

function ld(fieldNo: number, bytes: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(fieldNo, WireType.LengthDelimited).bytes(bytes).finish();
}
function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** AnyValue nested `depth` arrays deep, written by hand: past the decoder's recursion limit of 100 messages. */
export function deepAnyValueBytes(depth: number): Uint8Array {
  let v = ld(1, new TextEncoder().encode('bottom'));
  for (let i = 0; i < depth; i++) v = ld(5, ld(1, v));
  return v;
}

/** One span as protobuf bytes; a defect is written into the bytes as a real sender could. */
export function protobufSpan(m: SpanModel, ids: SpanIds, defect?: Defect): Uint8Array {
  let traceId = hexBytes(ids.traceId);
  let spanId = hexBytes(ids.spanId);
  let parentSpanId = ids.parentSpanId ? hexBytes(ids.parentSpanId) : new Uint8Array();
  let start = m.startNs;
  let end = endOf(m);
  if (defect === 'zeroTraceId') traceId = new Uint8Array(16);
  if (defect === 'shortTraceId') traceId = traceId.slice(0, 15);
  if (defect === 'zeroSpanId') spanId = new Uint8Array(8);
  if (defect === 'longSpanId') spanId = concatBytes([spanId, new Uint8Array([1])]);
  if (defect === 'badParentId') parentSpanId = new Uint8Array([1, 2, 3]);
  if (defect === 'noStart') start = 0n;
  if (defect === 'endBeforeStart') [start, end] = [m.startNs < 2n ? 2n : m.startNs, (m.startNs < 2n ? 2n : m.startNs) - 1n];
  const span = create(SpanSchema, {
    traceId,
    spanId,
    parentSpanId,
    name: m.name,
    kind: m.kind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: m.attributes.map(keyValueInit),
    events: m.events.map((e) => ({ name: e.name, timeUnixNano: clampNs(m.startNs + e.offsetNs), attributes: e.attributes.map(keyValueInit) })),
    status: { code: m.status.code, message: m.status.message },
  });
  const parts: Uint8Array[] = [toBinary(SpanSchema, span)];
  const bad = INVALID_UTF8[m.name.length % INVALID_UTF8.length];
  // A later occurrence of a singular field wins, and a repeated field gains an element: both are valid protobuf.
  if (defect === 'badUtf8Name') parts.push(ld(5, bad));
  if (defect === 'badUtf8Key') parts.push(ld(9, concatBytes([ld(1, bad), ld(2, ld(1, new TextEncoder().encode('v')))])));
  if (defect === 'badUtf8Value') parts.push(ld(9, concatBytes([ld(1, new TextEncoder().encode('k')), ld(2, ld(1, bad))])));
  if (defect === 'tooDeep') parts.push(ld(9, concatBytes([ld(1, new TextEncoder().encode('deep')), ld(2, deepAnyValueBytes(60))])));
  return concatBytes(parts);
}

/**
 * An ExportTraceServiceRequest framed by hand around already-encoded spans. A group with
 * `badResource` carries a resource attribute whose key is not UTF-8, which rejects its spans.
 */
export function protobufRequest(groups: { resource: Attr[]; scopeName: string; spans: Uint8Array[]; badResource?: boolean }[]): Uint8Array {
  return concatBytes(
    groups.map((g) => {
      const kvs = g.resource.map((a) => ld(1, toBinary(KeyValueSchema, create(KeyValueSchema, keyValueInit(a)))));
      if (g.badResource) kvs.push(ld(1, ld(1, INVALID_UTF8[0])));
      const resource = concatBytes(kvs);
      const scope = ld(1, new TextEncoder().encode(g.scopeName));
      const scopeSpans = concatBytes([ld(1, scope), ...g.spans.map((s) => ld(2, s))]);
      return ld(1, concatBytes([ld(1, resource), ld(2, scopeSpans)]));
    }),
  );
}

// ---------- OTLP/JSON ----------

function jsonAnyValue(v: Val): unknown {
  switch (v.t) {
    case 'string':
      return { stringValue: v.v };
    case 'huge':
      return { stringValue: expand(v.v) };
    case 'bool':
      return { boolValue: v.v };
    case 'int':
      return { intValue: v.v.toString() };
    case 'double':
      return { doubleValue: Number.isFinite(v.v) ? v.v : String(v.v) };
    case 'bytes':
      return { bytesValue: base64Encode(v.v) };
    case 'array':
      return { arrayValue: { values: v.v.map(jsonAnyValue) } };
    case 'kvlist':
      return { kvlistValue: { values: v.v.map(jsonKeyValue) } };
    case 'empty':
      return {};
  }
}
const jsonKeyValue = (a: Attr) => ({ key: a.key, value: jsonAnyValue(a.value) });

/** One span as an OTLP/JSON object; a defect is written the way a broken exporter would. */
export function jsonSpan(m: SpanModel, ids: SpanIds, defect?: Defect): unknown {
  const span: Record<string, unknown> = {
    traceId: ids.traceId,
    spanId: ids.spanId,
    parentSpanId: ids.parentSpanId ?? '',
    name: m.name,
    kind: m.kind,
    startTimeUnixNano: m.startNs.toString(),
    endTimeUnixNano: endOf(m).toString(),
    attributes: m.attributes.map(jsonKeyValue),
    events: m.events.map((e) => ({ name: e.name, timeUnixNano: clampNs(m.startNs + e.offsetNs).toString(), attributes: e.attributes.map(jsonKeyValue) })),
    status: { code: m.status.code, message: m.status.message },
  };
  if (defect === 'zeroTraceId') span.traceId = '0'.repeat(32);
  if (defect === 'shortTraceId') span.traceId = ids.traceId.slice(0, 30);
  if (defect === 'zeroSpanId') span.spanId = '0'.repeat(16);
  if (defect === 'longSpanId') span.spanId = `${ids.spanId}01`;
  if (defect === 'badParentId') span.parentSpanId = 'abc';
  if (defect === 'noStart') span.startTimeUnixNano = '0';
  if (defect === 'endBeforeStart') [span.startTimeUnixNano, span.endTimeUnixNano] = ['2000', '1000'];
  if (defect === 'tooDeep') (span.attributes as unknown[]).push({ key: 'deep', value: JSON.parse(deepJsonAnyValue(120)) });
  if (defect === 'idNotHex') span.traceId = `zz${ids.traceId.slice(2)}`;
  if (defect === 'idIsNumber') span.spanId = 12345;
  if (defect === 'timeNotNumber') span.startTimeUnixNano = 'yesterday';
  if (defect === 'attributesNotArray') span.attributes = { 'service.name': 'x' };
  if (defect === 'kindIsObject') span.kind = { value: 1 };
  if (defect === 'spanIsArray') return [span];
  return span;
}

/** An OTLP/JSON AnyValue nested `depth` arrays deep, as text. */
export function deepJsonAnyValue(depth: number): string {
  return '{"arrayValue":{"values":['.repeat(depth) + '{"stringValue":"bottom"}' + ']}}'.repeat(depth);
}

export function jsonRequest(groups: { resource: Attr[]; scopeName: string; spans: unknown[] }[]): string {
  return JSON.stringify({
    resourceSpans: groups.map((g) => ({
      resource: { attributes: g.resource.map(jsonKeyValue) },
      scopeSpans: [{ scope: { name: g.scopeName }, spans: g.spans }],
    })),
  });
}

// ---------- what a reader gets back ----------

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function valHasLoneSurrogate(v: Val): boolean {
  if (v.t === 'string') return LONE_SURROGATE.test(v.v);
  if (v.t === 'huge') return LONE_SURROGATE.test(expand(v.v));
  if (v.t === 'array') return v.v.some(valHasLoneSurrogate);
  if (v.t === 'kvlist') return attrsHaveLoneSurrogate(v.v);
  return false;
}

/**
 * True when a string among the attributes has a lone surrogate. OTLP/JSON can carry one ("\ud800"),
 * but a protobuf string must be UTF-8, so the decoder rejects what holds it (the span, or every span
 * of a resource); in protobuf the sender's encoder already made it U+FFFD.
 */
export function attrsHaveLoneSurrogate(list: Attr[]): boolean {
  return list.some((a) => LONE_SURROGATE.test(a.key) || valHasLoneSurrogate(a.value));
}

const noLone = (s: string) => s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

function valWithoutLone(v: Val): Val {
  if (v.t === 'string') return { t: 'string', v: noLone(v.v) };
  if (v.t === 'huge') return { t: 'string', v: noLone(expand(v.v)) };
  if (v.t === 'array') return { t: 'array', v: v.v.map(valWithoutLone) };
  if (v.t === 'kvlist') return { t: 'kvlist', v: attrsWithoutLone(v.v) };
  return v;
}

/** The same attributes with each lone surrogate replaced by U+FFFD. */
export function attrsWithoutLone(list: Attr[]): Attr[] {
  return list.map((a) => ({ key: noLone(a.key), value: valWithoutLone(a.value) }));
}

/** The same span with each lone surrogate replaced by U+FFFD, so OTLP/JSON keeps it. */
export function spanWithoutLone(m: SpanModel): SpanModel {
  return {
    ...m,
    name: noLone(m.name),
    status: { ...m.status, message: noLone(m.status.message) },
    attributes: attrsWithoutLone(m.attributes),
    events: m.events.map((e) => ({ ...e, name: noLone(e.name), attributes: attrsWithoutLone(e.attributes) })),
  };
}

export function spanHasLoneSurrogate(m: SpanModel): boolean {
  return (
    LONE_SURROGATE.test(m.name) ||
    LONE_SURROGATE.test(m.status.message) ||
    attrsHaveLoneSurrogate(m.attributes) ||
    m.events.some((e) => LONE_SURROGATE.test(e.name) || attrsHaveLoneSurrogate(e.attributes))
  );
}

/** What a string looks like after a trip through UTF-8 (protobuf strings are UTF-8 on the wire). */
export const viaUtf8 = (s: string) => UTF8.decode(new TextEncoder().encode(s));
// A leading U+FEFF in a protobuf string is text, not a byte-order mark to drop.
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function expectedValue(v: Val, format: Format, depth: number): unknown {
  const str = (s: string) => (format === 'protobuf' ? viaUtf8(s) : s);
  switch (v.t) {
    case 'string':
      return truncateString(str(v.v));
    case 'huge':
      return truncateString(str(expand(v.v)));
    case 'bool':
      return v.v;
    case 'int':
      return Number.isSafeInteger(Number(v.v)) ? Number(v.v) : v.v.toString();
    case 'double':
      return Number.isFinite(v.v) ? v.v : String(v.v);
    case 'bytes':
      return base64Encode(v.v);
    case 'array':
      return depth >= MAX_ATTRIBUTE_DEPTH ? MAX_DEPTH_MARKER : v.v.map((x) => expectedValue(x, format, depth + 1));
    case 'kvlist':
      return depth >= MAX_ATTRIBUTE_DEPTH ? MAX_DEPTH_MARKER : expectedAttributes(v.v, format, depth + 1);
    case 'empty':
      return null;
  }
}

/** The attributes as stored and read back: own keys (even "__proto__"), the last of a repeated key winning. */
export function expectedAttributes(list: Attr[], format: Format, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of list) {
    const key = format === 'protobuf' ? viaUtf8(a.key) : a.key;
    Object.defineProperty(out, key, { value: expectedValue(a.value, format, depth), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function expectedName(name: string, format: Format): string {
  return truncateName(format === 'protobuf' ? viaUtf8(name) : name);
}

/** Through JSON and back, as the API answers: -0 becomes 0, nothing else changes. */
export const asJson = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
