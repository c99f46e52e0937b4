import { toAttributes } from './any-value';
import type { InstrumentationScope, Resource, Span } from './gen/otlp_pb';
import { bytesToHex, isAllZero } from './hex';
import { truncateName, truncateString } from './limits';
import type { Attributes, NormalizedSpan, SpanKindName, StatusCodeName } from './types';
import { MAX_TIME_MS } from '../lib/time';

/** What every span of one ResourceSpans/ScopeSpans group shares. */
export interface SpanContext {
  resource: Attributes;
  scope: NormalizedSpan['scope'];
}

export type NormalizeResult = { ok: true; span: NormalizedSpan } | { ok: false; reason: string };

// Indexed by the OTLP enum numbers; a value from a newer sender falls back to the zero value.
const KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

export function resourceAttributes(resource: Resource | undefined): Attributes {
  return toAttributes(resource?.attributes ?? []);
}

export function scopeOf(scope: InstrumentationScope | undefined): NormalizedSpan['scope'] {
  const out: NormalizedSpan['scope'] = { name: scope?.name ?? '' };
  if (scope?.version) out.version = scope.version;
  if (scope?.attributes.length) out.attributes = toAttributes(scope.attributes);
  return out;
}

/**
 * Validates one decoded span and converts it to the stored shape. Both wire formats end
 * here, so a span is accepted or rejected for the same reasons whichever way it came.
 */
export function normalizeSpan(span: Span, context: SpanContext): NormalizeResult {
  const reason = invalidReason(span);
  if (reason) return { ok: false, reason };
  const start = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  const out: NormalizedSpan = {
    traceId: bytesToHex(span.traceId),
    spanId: bytesToHex(span.spanId),
    parentSpanId: isRoot(span.parentSpanId) ? null : bytesToHex(span.parentSpanId),
    name: truncateName(span.name),
    kind: KINDS[span.kind] ?? 'unspecified',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    startMs: nanosToMs(start),
    endMs: nanosToMs(end),
    status: { code: STATUS_CODES[span.status?.code ?? 0] ?? 'unset' },
    attributes: toAttributes(span.attributes),
    events: span.events.map((e) => ({
      timeUnixNano: e.timeUnixNano.toString(),
      timeMs: nanosToMs(e.timeUnixNano),
      name: truncateName(e.name),
      attributes: toAttributes(e.attributes),
    })),
    links: span.links.map((l) => ({
      traceId: bytesToHex(l.traceId),
      spanId: bytesToHex(l.spanId),
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: toAttributes(l.attributes),
    })),
    resource: context.resource,
    scope: context.scope,
  };
  if (span.traceState) out.traceState = span.traceState;
  if (span.status?.message) out.status.message = truncateString(span.status.message);
  const dropped = droppedCounts(span);
  if (dropped) out.dropped = dropped;
  return { ok: true, span: out };
}

/** The fields a span is accepted or rejected on (also read straight from the wire by screen.ts). */
export type SpanIdentity = Pick<Span, 'traceId' | 'spanId' | 'parentSpanId' | 'startTimeUnixNano' | 'endTimeUnixNano'>;

/** The latest time Sieve stores (9999-12-31), in nanoseconds. */
const MAX_TIME_NANOS = BigInt(MAX_TIME_MS) * 1_000_000n;

/** Why a span cannot be stored (ids and times), or null. */
export function invalidReason(span: SpanIdentity): string | null {
  if (span.traceId.length !== 16 || isAllZero(span.traceId)) {
    return 'invalid trace id: must be 16 bytes and not all zero';
  }
  if (span.spanId.length !== 8 || isAllZero(span.spanId)) {
    return 'invalid span id: must be 8 bytes and not all zero';
  }
  if (span.parentSpanId.length !== 0 && span.parentSpanId.length !== 8) {
    return 'invalid parent span id: must be empty or 8 bytes';
  }
  if (span.startTimeUnixNano === 0n) return 'missing start time';
  if (span.endTimeUnixNano < span.startTimeUnixNano) return 'end time before start time';
  // Unreachable for protobuf's fixed64 (year 2554), but OTLP/JSON carries decimal strings of any size.
  if (span.endTimeUnixNano > MAX_TIME_NANOS) return 'end time after the year 9999';
  return null;
}

// Some SDKs write eight zero bytes instead of leaving the parent empty on a root span.
function isRoot(parentSpanId: Uint8Array): boolean {
  return parentSpanId.length === 0 || isAllZero(parentSpanId);
}

// Microsecond precision survives the trip through a double; sub-millisecond tool spans keep a duration.
function nanosToMs(nanos: bigint): number {
  return Number(nanos / 1000n) / 1000;
}

function droppedCounts(span: Span): NormalizedSpan['dropped'] | undefined {
  const dropped: NonNullable<NormalizedSpan['dropped']> = {};
  if (span.droppedAttributesCount) dropped.attributes = span.droppedAttributesCount;
  if (span.droppedEventsCount) dropped.events = span.droppedEventsCount;
  if (span.droppedLinksCount) dropped.links = span.droppedLinksCount;
  return Object.keys(dropped).length ? dropped : undefined;
}
