/** A JSON-safe attribute value, as OTLP AnyValue maps to JSON (bytes become base64 strings). */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCodeName = 'unset' | 'ok' | 'error';

/**
 * One span as Sieve stores it in R2: everything the sender sent, ids as lowercase hex,
 * times as decimal nanosecond strings plus millisecond numbers for convenience.
 */
export interface NormalizedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  startMs: number;
  endMs: number;
  status: { code: StatusCodeName; message?: string };
  attributes: Attributes;
  events: { timeUnixNano: string; timeMs: number; name: string; attributes: Attributes }[];
  links: { traceId: string; spanId: string; traceState?: string; attributes: Attributes }[];
  resource: Attributes;
  scope: { name: string; version?: string; attributes?: Attributes };
  dropped?: { attributes?: number; events?: number; links?: number };
}

export interface RejectedSpans {
  count: number;
  /** Human-readable reasons, deduplicated, at most a handful. */
  messages: string[];
}

/** Where an accepted span's encoded bytes are: its group (shared resource and scope) and its Span message. */
export interface EncodedSpanRef {
  group: number;
  bytes: Uint8Array;
}

export interface DecodeResult {
  spans: NormalizedSpan[];
  rejected: RejectedSpans;
  /**
   * Protobuf requests only: each accepted span's bytes as received (same order as `spans`) and the
   * encoded resource and scope of each group, so ingest stores them without re-encoding.
   */
  encoded?: { groups: { resource: Uint8Array; scope: Uint8Array }[]; spans: EncodedSpanRef[] };
}
