import type { EvaluationRow } from '../data/signal-rows';
import type { SpanInfo } from '../data/trace-merge';
import { encodeResource, encodeScope, encodeSpan, frameRequest, type EncodedGroup } from '../otlp/encode';
import { MAX_ATTRIBUTE_CHARS, MAX_SPAN_NAME_CHARS } from '../otlp/limits';
import type { DecodeResult, NormalizedSpan } from '../otlp/types';
import { evaluationsFromSpan } from '../signals/from-spans';
import { spanEvaluationRow } from '../signals/rows';
import type { Redactor } from './redact';
import { spanInfo } from './span-info';

/** Spans to store, with their bytes as received where the request was protobuf. */
export type DecodedSpans = Pick<DecodeResult, 'spans' | 'encoded'>;

/** One trace's part of a stored object: where its bytes are and what the index needs of its spans. */
export interface TraceSegment {
  traceId: string;
  offset: number;
  length: number;
  spans: SpanInfo[];
}

export interface PreparedBatch {
  /**
   * The R2 object: one OTLP ExportTraceServiceRequest per trace, back to back, so one ranged read
   * returns a trace's spans of this batch and decodes with the ordinary OTLP decoder.
   */
  payload: Uint8Array;
  traces: TraceSegment[];
  /** Evaluation results the spans carried (OTel evaluation events, annotation attributes). */
  evaluations: EvaluationRow[];
  spanCount: number;
}

/** Joins the decoded spans of several requests (queued ingest stores a consumer batch at once). */
export function concatDecoded(parts: DecodedSpans[]): DecodedSpans {
  if (parts.length === 1) return parts[0];
  const spans: NormalizedSpan[] = [];
  const allEncoded = parts.every((p) => p.encoded);
  const encoded: NonNullable<DecodedSpans['encoded']> = { groups: [], spans: [] };
  for (const p of parts) {
    for (const s of p.spans) spans.push(s);
    if (!allEncoded) continue;
    const base = encoded.groups.length;
    encoded.groups.push(...p.encoded!.groups);
    for (const ref of p.encoded!.spans) encoded.spans.push({ group: base + ref.group, bytes: ref.bytes });
  }
  return allEncoded ? { spans, encoded } : { spans };
}

/** Splits decoded spans into parts of at most `size` spans (the encoded groups are shared). */
export function splitDecoded(decoded: DecodedSpans, size: number): DecodedSpans[] {
  if (decoded.spans.length <= size) return [decoded];
  const parts: DecodedSpans[] = [];
  for (let i = 0; i < decoded.spans.length; i += size) {
    const spans = decoded.spans.slice(i, i + size);
    parts.push(decoded.encoded ? { spans, encoded: { groups: decoded.encoded.groups, spans: decoded.encoded.spans.slice(i, i + size) } } : { spans });
  }
  return parts;
}

/**
 * Whether decoding cut something of the span (a value past MAX_ATTRIBUTE_CHARS, a long name): redaction
 * saw only the kept part, so the bytes as received must not be stored. Cheap checks, rarely true.
 */
function cutOnDecode(s: NormalizedSpan, bytes: Uint8Array, group: EncodedGroup): boolean {
  return bytes.byteLength > MAX_ATTRIBUTE_CHARS || s.name.length >= MAX_SPAN_NAME_CHARS || s.events.some((e) => e.name.length >= MAX_SPAN_NAME_CHARS) || cutGroup(group);
}

function cutGroup(group: EncodedGroup): boolean {
  return group.resource.byteLength > MAX_ATTRIBUTE_CHARS || group.scope.byteLength > MAX_SPAN_NAME_CHARS;
}

/**
 * Builds the R2 object and the index input of a batch; pure, so it is tested on plain data. Spans
 * are redacted first: a span redaction changed (and any span that came as JSON) is re-encoded,
 * every other one is stored as the bytes it arrived in. Repeats of a (trace, span) in the batch
 * keep their first copy.
 */
export function prepareBatch(decoded: DecodedSpans, redactor?: Redactor): PreparedBatch {
  const { spans, encoded } = decoded;
  const byTrace = new Map<string, number[]>();
  const seen = new Set<string>();
  spans.forEach((s, i) => {
    const id = `${s.traceId}:${s.spanId}`;
    if (seen.has(id)) return;
    seen.add(id);
    const list = byTrace.get(s.traceId);
    if (list) list.push(i);
    else byTrace.set(s.traceId, [i]);
  });

  // Encoded groups: as received, or encoded once per distinct (resource, scope) a redacted or JSON span has.
  const groups: EncodedGroup[] = encoded ? [...encoded.groups] : [];
  const groupOf = new Map<NormalizedSpan['resource'], Map<NormalizedSpan['scope'], number>>();
  const encodedGroupOf = (s: NormalizedSpan): number => {
    let byScope = groupOf.get(s.resource);
    if (!byScope) groupOf.set(s.resource, (byScope = new Map()));
    let g = byScope.get(s.scope);
    if (g === undefined) {
      g = groups.push({ resource: encodeResource(s.resource), scope: encodeScope(s.scope) }) - 1;
      byScope.set(s.scope, g);
    }
    return g;
  };

  const parts: Uint8Array[] = [];
  const traces: TraceSegment[] = [];
  const evaluations: EvaluationRow[] = [];
  let offset = 0;
  let spanCount = 0;
  for (const [traceId, indexes] of byTrace) {
    const runs = new Map<number, Uint8Array[]>();
    const infos: SpanInfo[] = [];
    for (const i of indexes) {
      const original = spans[i];
      const { span: s, redactions } = redactor && !redactor.noop ? redactor.span(original) : { span: original, redactions: 0 };
      let group: number;
      let bytes: Uint8Array;
      const ref = encoded?.spans[i];
      if (ref && s === original && !cutOnDecode(s, ref.bytes, groups[ref.group])) {
        group = ref.group;
        bytes = ref.bytes;
      } else {
        group = ref && s.resource === original.resource && s.scope === original.scope && !cutGroup(groups[ref.group]) ? ref.group : encodedGroupOf(s);
        bytes = encodeSpan(s);
      }
      const run = runs.get(group);
      if (run) run.push(bytes);
      else runs.set(group, [bytes]);
      infos.push(spanInfo(s, redactions));
      for (const e of evaluationsFromSpan(s)) evaluations.push(spanEvaluationRow(e));
    }
    const segment = frameRequest([...runs].map(([g, list]) => ({ group: groups[g], spans: list })));
    parts.push(segment);
    traces.push({ traceId, offset, length: segment.byteLength, spans: infos });
    offset += segment.byteLength;
    spanCount += infos.length;
  }
  const payload = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    payload.set(p, at);
    at += p.byteLength;
  }
  return { payload, traces, evaluations, spanCount };
}
