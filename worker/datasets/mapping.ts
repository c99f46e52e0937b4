import type { AttrValue } from '../otlp/types';
import type { FieldMapping, MetadataInclude, ValueSource } from '../schemas/datasets';
import type { SpanDetail, TraceDetailResponse } from '../schemas/traces';
import type { ChatMessage } from '../semconv/types';
import type { RecordValues } from './record-check';

/**
 * Field mapping: which part of a trace becomes a record's input, output, expected output and metadata.
 * Pure: it reads a trace as `GET /api/v1/traces/:traceId` returns it.
 */

/** A value found in the trace and the span it came from (null for trace-level facts). */
interface Found {
  value: unknown;
  spanId: string | null;
}

const chat = (messages: ChatMessage[]) => messages.map((m) => (m.name ? { role: m.role, content: m.content, name: m.name } : { role: m.role, content: m.content }));

/** The root span (no parent in the trace; the earliest if several), then the others in start order. */
export function rootFirst(spans: SpanDetail[]): SpanDetail[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  return root ? [root, ...spans.filter((s) => s !== root)] : spans;
}

function spanInput(s: SpanDetail): unknown {
  if (s.llm.input !== undefined) return s.llm.input;
  return s.llm.inputMessages.length ? chat(s.llm.inputMessages) : undefined;
}

function spanOutput(s: SpanDetail): unknown {
  if (s.llm.output !== undefined) return s.llm.output;
  const out = s.llm.outputMessages;
  if (out.length === 1) return out[0].content;
  return out.length ? chat(out) : undefined;
}

/** The first span (root first) that yields a value. */
function firstOf(spans: SpanDetail[], read: (s: SpanDetail) => unknown): Found | undefined {
  for (const s of spans) {
    const value = read(s);
    if (value !== undefined && value !== null) return { value, spanId: s.spanId };
  }
  return undefined;
}

/**
 * An attribute by path: the exact key first, else the longest key that prefixes the path, then into
 * its value by the remaining dotted segments (a JSON string value is parsed on the way).
 */
export function attributeAt(attributes: Record<string, AttrValue>, path: string): unknown {
  // Own properties only: a path like `constructor` or `__proto__` must not reach Object.prototype.
  if (Object.hasOwn(attributes, path)) return attributes[path];
  const key = Object.keys(attributes)
    .filter((k) => path.startsWith(`${k}.`))
    .sort((a, b) => b.length - a.length)[0];
  if (key === undefined) return undefined;
  let v: unknown = attributes[key];
  for (const seg of path.slice(key.length + 1).split('.')) {
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        return undefined;
      }
    }
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

function systemPrompt(spans: SpanDetail[]): string | undefined {
  for (const s of spans) {
    if (s.llm.systemInstructions) return s.llm.systemInstructions;
    const sys = s.llm.inputMessages.find((m) => m.role === 'system');
    if (sys) return sys.content;
  }
  return undefined;
}

/** A submitted review of the trace, when records come from an annotation queue. */
export interface AnnotationContext {
  id: string;
  queueId: string;
  values: Record<string, unknown>;
  notes: string | null;
  reviewerName: string;
}

/** Reads one value source from the trace; undefined when the trace has no such part. */
export function readSource(t: TraceDetailResponse, source: ValueSource, annotation?: AnnotationContext): Found | undefined {
  const ordered = rootFirst(t.spans);
  const byStart = t.spans;
  switch (source.from) {
    case 'none':
      return undefined;
    case 'root_input':
      return firstOf(ordered, spanInput);
    case 'root_output':
      return firstOf(ordered.slice(0, 1), spanOutput) ?? firstOf([...byStart].sort((a, b) => Date.parse(b.endTime) - Date.parse(a.endTime)), spanOutput);
    case 'first_user_message':
      return firstOf(byStart, (s) => s.llm.inputMessages.find((m) => m.role === 'user')?.content);
    case 'last_assistant_message': {
      const byEnd = [...byStart].sort((a, b) => Date.parse(b.endTime) - Date.parse(a.endTime));
      return firstOf(byEnd, (s) => s.llm.outputMessages.findLast((m) => m.role === 'assistant')?.content);
    }
    case 'input_messages':
      return firstOf(byStart, (s) => {
        if (!s.llm.inputMessages.length) return undefined;
        const messages = chat(s.llm.inputMessages);
        const sys = s.llm.systemInstructions;
        return sys && !messages.some((m) => m.role === 'system') ? [{ role: 'system', content: sys }, ...messages] : messages;
      });
    case 'span_attribute': {
      const spans = source.span ? byStart.filter((s) => s.name === source.span) : ordered;
      return firstOf(spans, (s) => attributeAt(s.attributes, source.path));
    }
    case 'annotation': {
      const value = source.field === 'notes' ? annotation?.notes : annotation?.values[source.field];
      return value === undefined || value === null || value === '' ? undefined : { value, spanId: null };
    }
    case 'evaluation': {
      const results = t.evaluations.filter((e) => e.name === source.name).sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp));
      const value = results.map((e) => e[source.field]).find((v) => v !== null && v !== undefined);
      return value === undefined ? undefined : { value, spanId: null };
    }
  }
}

function metadataOf(t: TraceDetailResponse, include: MetadataInclude[], annotation?: AnnotationContext): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const s = t.trace;
  const put = (key: string, v: unknown) => {
    if (v !== null && v !== undefined) m[key] = v;
  };
  for (const what of include) {
    if (what === 'model') put('model', s.model);
    if (what === 'promptVersion') put('promptVersion', s.promptVersion);
    if (what === 'service') put('service', s.service);
    if (what === 'environment') put('environment', s.environment);
    if (what === 'tags' && s.tags.length) put('tags', s.tags);
    if (what === 'system') put('system', systemPrompt(t.spans));
    if (what === 'annotation' && annotation) put('annotation', { ...annotation.values, reviewer: annotation.reviewerName });
    if (what === 'feedback' && s.feedback.count) {
      const { count, thumbsUp, thumbsDown, minRating, maxRating } = s.feedback;
      put('feedback', { count, thumbsUp, thumbsDown, minRating, maxRating });
    }
    if (what === 'scores' || what === 'labels') {
      const field = what === 'scores' ? 'score' : 'label';
      const found = s.scores.filter((x) => x[field] !== null);
      if (found.length) put(what, Object.fromEntries(found.map((x) => [x.name, x[field]])));
    }
  }
  return m;
}

export type MappedRecord = { values: RecordValues; spanId: string | null } | { problem: string };

/** A record from a trace by the mapping; a problem when the trace has nothing for the input. */
export function mapTrace(t: TraceDetailResponse, mapping: FieldMapping, annotation?: AnnotationContext): MappedRecord {
  const input = readSource(t, mapping.input, annotation);
  if (!input) return { problem: `the trace has no ${mapping.input.from === 'span_attribute' ? `attribute ${mapping.input.path}` : mapping.input.from.replaceAll('_', ' ')} for the input` };
  const metadata = metadataOf(t, mapping.metadata.include, annotation);
  for (const a of mapping.metadata.attributes) {
    const found = readSource(t, { from: 'span_attribute', path: a.path, span: a.span });
    if (found) metadata[a.key] = found.value;
  }
  const root = rootFirst(t.spans)[0];
  return {
    values: {
      input: input.value,
      output: readSource(t, mapping.output, annotation)?.value ?? null,
      expectedOutput: readSource(t, mapping.expectedOutput, annotation)?.value ?? null,
      metadata,
    },
    spanId: input.spanId ?? root?.spanId ?? null,
  };
}
