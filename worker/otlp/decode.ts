import { fromBinary, fromJson, type JsonValue } from '@bufbuild/protobuf';
import { InstrumentationScopeSchema, ResourceSchema, SpanSchema, type Span } from './gen/otlp_pb';
import { hexIdsToBase64, isJsonObject } from './json-ids';
import { normalizeSpan, resourceAttributes, scopeOf, type NormalizeResult, type SpanContext } from './normalize';
import { addRejection, emptyRejections } from './rejections';
import { splitRequest, type RawResourceSpans } from './split';
import type { DecodeResult } from './types';

/** The request as a whole cannot be read; the route answers 400 with a google.rpc.Status. */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
}

// Newer OTLP versions add fields; accepting them keeps old Sieve builds compatible with new SDKs.
const JSON_OPTIONS = { ignoreUnknownFields: true };

const BINARY_OPTIONS = { readUnknownFields: false };

/**
 * Decodes an OTLP/HTTP protobuf body. Throws OtlpDecodeError when the outline of the request
 * cannot be read; a span, resource or scope that fails to decode only rejects the spans it
 * covers, as in decodeJson.
 */
export function decodeProtobuf(bytes: Uint8Array): DecodeResult {
  let groups: RawResourceSpans[];
  try {
    groups = splitRequest(bytes);
  } catch (err) {
    throw new OtlpDecodeError(`malformed OTLP protobuf: ${errorMessage(err)}`);
  }
  const encoded: NonNullable<DecodeResult['encoded']> = { groups: [], spans: [] };
  const result: DecodeResult = { spans: [], rejected: emptyRejections(), encoded };
  for (const rs of groups) {
    let resource: SpanContext['resource'];
    try {
      resource = resourceAttributes(fromBinary(ResourceSchema, rs.resource, BINARY_OPTIONS));
    } catch (err) {
      const count = rs.scopeSpans.reduce((n, ss) => n + ss.spans.length, 0);
      addRejection(result.rejected, `invalid resource: ${binaryErrorMessage(err)}`, count);
      continue;
    }
    for (const ss of rs.scopeSpans) {
      let context: SpanContext;
      try {
        context = { resource, scope: scopeOf(fromBinary(InstrumentationScopeSchema, ss.scope, BINARY_OPTIONS)) };
      } catch (err) {
        addRejection(result.rejected, `invalid scope: ${binaryErrorMessage(err)}`, ss.spans.length);
        continue;
      }
      const group = encoded.groups.push({ resource: rs.resource, scope: ss.scope }) - 1;
      for (const span of ss.spans) {
        if (collect(result, decodeBinarySpan(span, context))) encoded.spans.push({ group, bytes: span });
      }
    }
  }
  return result;
}

function decodeBinarySpan(bytes: Uint8Array, context: SpanContext): NormalizeResult {
  let span: Span;
  try {
    span = fromBinary(SpanSchema, bytes, BINARY_OPTIONS);
  } catch (err) {
    return { ok: false, reason: `invalid span: ${binaryErrorMessage(err)}` };
  }
  return normalizeSpan(span, context);
}

// When reading binary, protobuf-es throws a TypeError only from its strict UTF-8 decoder, whose
// own message ("Failed to decode input") does not tell a sender what is wrong.
export function binaryErrorMessage(err: unknown): string {
  return err instanceof TypeError ? 'a string field is not valid UTF-8' : errorMessage(err);
}

/**
 * Decodes an OTLP/HTTP JSON body (hex ids, lowerCamelCase or snake_case keys, enums as
 * numbers or names, int64 as strings or numbers). Throws OtlpDecodeError when the body is
 * not JSON or its outline is wrong; a span, resource or scope that fails to decode only
 * rejects the spans it covers.
 */
export function decodeJson(text: string): DecodeResult {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${errorMessage(err)}`);
  }
  if (!isJsonObject(root)) throw new OtlpDecodeError('OTLP/JSON body must be an object');
  const result: DecodeResult = { spans: [], rejected: emptyRejections() };
  listField(root, 'resourceSpans', 'resource_spans', 'body').forEach((rs, i) => {
    const path = `resourceSpans[${i}]`;
    const resourceSpans = objectAt(rs, path);
    const scopeSpansList = listField(resourceSpans, 'scopeSpans', 'scope_spans', path).map((ss, j) =>
      objectAt(ss, `${path}.scopeSpans[${j}]`),
    );
    const spanLists = scopeSpansList.map((ss, j) => listField(ss, 'spans', 'spans', `${path}.scopeSpans[${j}]`));
    let resource: SpanContext['resource'];
    try {
      resource = resourceAttributes(fromJson(ResourceSchema, asJson(resourceSpans.resource), JSON_OPTIONS));
    } catch (err) {
      const count = spanLists.reduce((n, spans) => n + spans.length, 0);
      addRejection(result.rejected, `invalid resource: ${errorMessage(err)}`, count);
      return;
    }
    scopeSpansList.forEach((ss, j) => {
      let context: SpanContext;
      try {
        context = { resource, scope: scopeOf(fromJson(InstrumentationScopeSchema, asJson(ss.scope), JSON_OPTIONS)) };
      } catch (err) {
        addRejection(result.rejected, `invalid scope: ${errorMessage(err)}`, spanLists[j].length);
        return;
      }
      for (const raw of spanLists[j]) collect(result, decodeJsonSpan(raw, context));
    });
  });
  return result;
}

function decodeJsonSpan(raw: unknown, context: SpanContext): NormalizeResult {
  try {
    if (!isJsonObject(raw)) return { ok: false, reason: 'invalid span: not an object' };
    return normalizeSpan(fromJson(SpanSchema, hexIdsToBase64(raw) as JsonValue, JSON_OPTIONS), context);
  } catch (err) {
    return { ok: false, reason: `invalid span: ${errorMessage(err)}` };
  }
}

function collect(result: DecodeResult, outcome: NormalizeResult): boolean {
  if (outcome.ok) result.spans.push(outcome.span);
  else addRejection(result.rejected, outcome.reason);
  return outcome.ok;
}

function listField(obj: Record<string, unknown>, camel: string, snake: string, path: string): unknown[] {
  const value = obj[camel] ?? obj[snake];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path}.${camel} must be an array`);
  return value;
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (!isJsonObject(value)) throw new OtlpDecodeError(`${path} must be an object`);
  return value;
}

// A missing resource or scope is allowed and decodes to an empty message.
function asJson(value: unknown): JsonValue {
  return (value ?? {}) as JsonValue;
}

// protobuf-es names fields by their full proto path; the package prefix is noise to a sender.
function errorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replaceAll('opentelemetry.proto.trace.v1.', '');
}
