import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One ScopeSpans group, still encoded: its scope and each of its spans. */
export interface RawScopeSpans {
  scope: Uint8Array;
  spans: Uint8Array[];
}

/** One ResourceSpans group, still encoded: its resource and its scope groups. */
export interface RawResourceSpans {
  resource: Uint8Array;
  scopeSpans: RawScopeSpans[];
}

/**
 * Walks the outline of an ExportTraceServiceRequest (resource_spans → scope_spans → spans)
 * without decoding what is inside a resource, scope or span, so each of those can be decoded
 * on its own and one bad span (invalid UTF-8, nesting past the decoder's recursion limit)
 * rejects only itself instead of the whole batch, as in OTLP/JSON. Throws on a broken outline.
 */
export function splitRequest(bytes: Uint8Array): RawResourceSpans[] {
  const out: RawResourceSpans[] = [];
  eachMessageField(bytes, { 1: (rs) => out.push(splitResourceSpans(rs)) });
  return out;
}

function splitResourceSpans(bytes: Uint8Array): RawResourceSpans {
  const resource: Uint8Array[] = [];
  const scopeSpans: RawScopeSpans[] = [];
  eachMessageField(bytes, {
    1: (r) => resource.push(r),
    2: (ss) => scopeSpans.push(splitScopeSpans(ss)),
  });
  return { resource: concat(resource), scopeSpans };
}

function splitScopeSpans(bytes: Uint8Array): RawScopeSpans {
  const scope: Uint8Array[] = [];
  const spans: Uint8Array[] = [];
  eachMessageField(bytes, {
    1: (s) => scope.push(s),
    2: (span) => spans.push(span),
  });
  return { scope: concat(scope), spans };
}

/** Calls `handlers[fieldNo]` with the bytes of each listed message field; other fields are skipped. */
function eachMessageField(bytes: Uint8Array, handlers: Record<number, (value: Uint8Array) => void>): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const handle = handlers[fieldNo];
    if (!handle) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    if (wireType !== WireType.LengthDelimited) throw new Error(`field ${fieldNo} has wire type ${wireType}, not a message`);
    handle(reader.bytes());
  }
}

// A singular message field sent more than once is merged, which for protobuf means parsing the concatenation.
function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
