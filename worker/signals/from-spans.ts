import type { AttrValue, NormalizedSpan } from '../otlp/types';

/** An evaluation result found inside telemetry, ready to be stored like one sent to the API. */
export interface SpanEvaluation {
  traceId: string;
  spanId: string;
  name: string;
  score: number | null;
  label: string | null;
  explanation: string | null;
  evaluatorKind: 'llm' | 'code' | 'human';
  evaluatorVersion: string;
  timestampMs: number;
}

const num = (v: AttrValue | undefined): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const str = (v: AttrValue | undefined): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;

function kindOf(v: AttrValue | undefined): SpanEvaluation['evaluatorKind'] {
  const k = typeof v === 'string' ? v.toLowerCase() : '';
  return k === 'human' || k === 'code' ? k : 'llm';
}

function make(span: NormalizedSpan, name: string | null, fields: { score?: AttrValue; label?: AttrValue; explanation?: AttrValue; kind?: AttrValue; version?: AttrValue }, at: number): SpanEvaluation | null {
  const score = num(fields.score);
  const label = str(fields.label);
  if (!name || (score === null && label === null)) return null;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    name: name.slice(0, 128),
    score,
    label: label?.slice(0, 256) ?? null,
    explanation: str(fields.explanation)?.slice(0, 10_000) ?? null,
    evaluatorKind: kindOf(fields.kind),
    evaluatorVersion: str(fields.version) ?? '',
    timestampMs: at,
  };
}

/**
 * Evaluations carried by a span: OTel GenAI `gen_ai.evaluation.result` events, OpenInference-style
 * `annotation.<name>.score|label|explanation` and `annotations.<i>.name|score|label|explanation`
 * attributes, and OpenInference EVALUATOR spans (`metadata.evaluator_name`, `metadata.score`, `metadata.label`).
 * An event without a time takes the span's end rather than 1970.
 */
export function evaluationsFromSpan(span: NormalizedSpan): SpanEvaluation[] {
  const out: SpanEvaluation[] = [];
  const push = (e: SpanEvaluation | null) => e && out.push(e);
  for (const ev of span.events) {
    if (ev.name !== 'gen_ai.evaluation.result') continue;
    const a = ev.attributes;
    push(make(span, str(a['gen_ai.evaluation.name']), {
      score: a['gen_ai.evaluation.score.value'],
      label: a['gen_ai.evaluation.score.label'],
      explanation: a['gen_ai.evaluation.explanation'],
      kind: a['gen_ai.evaluation.evaluator.kind'],
      version: a['gen_ai.evaluation.evaluator.version'],
    }, Math.round(ev.timeMs > 0 ? ev.timeMs : span.endMs)));
  }
  const a = span.attributes;
  const end = Math.round(span.endMs);
  const named = new Map<string, Record<string, AttrValue>>();
  const indexed = new Map<string, Record<string, AttrValue>>();
  for (const [key, value] of Object.entries(a)) {
    let m = /^annotation\.(.+)\.(score|label|explanation|kind)$/.exec(key);
    if (m) {
      const fields = named.get(m[1]) ?? {};
      fields[m[2]] = value;
      named.set(m[1], fields);
      continue;
    }
    m = /^annotations\.(\d+)\.(name|score|label|explanation|kind)$/.exec(key);
    if (m) {
      const fields = indexed.get(m[1]) ?? {};
      fields[m[2]] = value;
      indexed.set(m[1], fields);
    }
  }
  for (const [name, f] of named) push(make(span, name, { score: f.score, label: f.label, explanation: f.explanation, kind: f.kind }, end));
  for (const f of indexed.values()) push(make(span, str(f.name), { score: f.score, label: f.label, explanation: f.explanation, kind: f.kind }, end));
  if (String(a['openinference.span.kind'] ?? '').toUpperCase() === 'EVALUATOR') {
    push(make(span, str(a['metadata.evaluator_name']) ?? span.name, {
      score: a['metadata.score'],
      label: a['metadata.label'],
      explanation: a['metadata.explanation'],
      version: a['metadata.evaluator_version'],
    }, end));
  }
  return out;
}
