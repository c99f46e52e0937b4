import { base64Encode } from '@bufbuild/protobuf/wire';
import { hexToBytes } from './hex';

type JsonObject = Record<string, unknown>;

const SPAN_ID_FIELDS = [
  ['traceId', 'trace_id'],
  ['spanId', 'span_id'],
  ['parentSpanId', 'parent_span_id'],
] as const;
const LINK_ID_FIELDS = SPAN_ID_FIELDS.slice(0, 2);

/**
 * OTLP/JSON writes trace and span ids as hex, while proto3 JSON (what the protobuf library
 * reads) expects base64 for bytes fields. Returns a copy of one JSON span with its own ids
 * and its links' ids rewritten to base64; throws on an id that is not a hex string.
 * A hex string is also valid base64, so skipping this would silently corrupt ids.
 */
export function hexIdsToBase64(span: JsonObject): JsonObject {
  const out = rewriteIds(span, SPAN_ID_FIELDS);
  if (Array.isArray(out.links)) {
    out.links = out.links.map((link: unknown) => (isJsonObject(link) ? rewriteIds(link, LINK_ID_FIELDS) : link));
  }
  return out;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rewriteIds(source: JsonObject, fields: readonly (readonly [string, string])[]): JsonObject {
  // Spread copies own properties as own properties, so a "__proto__" key stays inert.
  const out = { ...source };
  for (const names of fields) {
    for (const key of names) {
      if (Object.hasOwn(out, key)) out[key] = idToBase64(out[key], names[0]);
    }
  }
  return out;
}

function idToBase64(value: unknown, field: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string') throw new Error(`${field} must be a hex string`);
  const bytes = hexToBytes(value);
  if (!bytes) throw new Error(`${field} is not valid hex`);
  return base64Encode(bytes);
}
