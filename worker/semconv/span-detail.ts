import type { NormalizedSpan } from '../otlp/types';
import type { SpanDetail } from '../schemas/traces';
import { mapSpan } from './map';

const iso = (ms: number) => new Date(ms).toISOString();

/** The API shape of a stored span, read through the GenAI/OpenInference mapping at read time. */
export function toSpanDetail(s: NormalizedSpan): SpanDetail {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    startTime: iso(s.startMs),
    endTime: iso(s.endMs),
    durationMs: s.endMs - s.startMs,
    status: s.status,
    attributes: s.attributes,
    events: s.events.map((e) => ({ time: iso(e.timeMs), name: e.name, attributes: e.attributes })),
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: l.attributes })),
    resource: s.resource,
    scope: { name: s.scope.name, version: s.scope.version },
    llm: mapSpan(s),
  };
}
