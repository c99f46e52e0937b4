import { base64Encode } from '@bufbuild/protobuf/wire';
import type { AnyValue, KeyValue } from './gen/otlp_pb';
import { MAX_ATTRIBUTE_DEPTH, MAX_DEPTH_MARKER, truncateString } from './limits';
import type { AttrValue, Attributes } from './types';

/**
 * Turns OTLP key-values into a JSON-safe object. Keys are collected in a Map and turned
 * into own properties by Object.fromEntries, so a sender's "__proto__" key stays data and
 * cannot reach a prototype. A repeated key keeps its last value.
 */
export function toAttributes(values: readonly KeyValue[], depth = 0): Attributes {
  const entries = new Map<string, AttrValue>();
  for (const kv of values) entries.set(kv.key, toAttrValue(kv.value, depth));
  return Object.fromEntries(entries);
}

/**
 * OTLP AnyValue → JSON value. int64 becomes a number when it is a safe integer and a decimal
 * string otherwise (no precision is lost); bytes become base64; non-finite doubles become
 * the strings proto3 JSON uses, since JSON has no NaN.
 */
export function toAttrValue(value: AnyValue | undefined, depth = 0): AttrValue {
  const v = value?.value;
  switch (v?.case) {
    case 'stringValue':
      return truncateString(v.value);
    case 'boolValue':
      return v.value;
    case 'intValue':
      return int64ToJson(v.value);
    case 'doubleValue':
      return Number.isFinite(v.value) ? v.value : String(v.value);
    case 'bytesValue':
      return truncateString(base64Encode(v.value));
    case 'arrayValue':
      if (depth >= MAX_ATTRIBUTE_DEPTH) return MAX_DEPTH_MARKER;
      return v.value.values.map((item) => toAttrValue(item, depth + 1));
    case 'kvlistValue':
      if (depth >= MAX_ATTRIBUTE_DEPTH) return MAX_DEPTH_MARKER;
      return toAttributes(v.value.values, depth + 1);
    default:
      return null;
  }
}

function int64ToJson(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}
