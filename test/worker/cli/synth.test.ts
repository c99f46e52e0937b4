import { describe, expect, it } from 'vitest';
import { attr, benchBatch, generateTraces, type OtlpJsonRequest, type SpanJson } from '../../../worker/cli/synth.ts';

const END = Date.UTC(2025, 5, 10, 12);
const START = END - 7 * 86_400_000;

interface FlatSpan extends SpanJson {
  service: string;
}

function flatten(requests: OtlpJsonRequest[]): FlatSpan[] {
  return requests.flatMap((r) =>
    r.resourceSpans.flatMap((rs) => {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value;
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service: service && 'stringValue' in service ? service.stringValue : '' })));
    }),
  );
}

function byTrace(spans: FlatSpan[]): Map<string, FlatSpan[]> {
  const out = new Map<string, FlatSpan[]>();
  for (const s of spans) out.set(s.traceId, [...(out.get(s.traceId) ?? []), s]);
  return out;
}

const attrOf = (s: { attributes: SpanJson['attributes'] }, key: string) => s.attributes.find((a) => a.key === key)?.value;
const str = (s: { attributes: SpanJson['attributes'] }, key: string) => {
  const v = attrOf(s, key);
  return v && 'stringValue' in v ? v.stringValue : undefined;
};
const isRoot = (s: SpanJson) => !s.parentSpanId;

describe('attr', () => {
  it('maps JS values to OTLP AnyValue JSON', () => {
    expect(attr('a', 'x')).toEqual({ key: 'a', value: { stringValue: 'x' } });
    expect(attr('a', 123)).toEqual({ key: 'a', value: { intValue: '123' } });
    expect(attr('a', 0.25)).toEqual({ key: 'a', value: { doubleValue: 0.25 } });
    expect(attr('a', true)).toEqual({ key: 'a', value: { boolValue: true } });
    expect(attr('a', ['x', 2])).toEqual({ key: 'a', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '2' }] } } });
    expect(attr('a', { doubleValue: 1 })).toEqual({ key: 'a', value: { doubleValue: 1 } });
  });
});

describe('generateTraces', () => {
  const requests = generateTraces({ count: 300, seed: 7, startMs: START, endMs: END });
  const spans = flatten(requests);
  const traces = byTrace(spans);

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateTraces({ count: 300, seed: 7, startMs: START, endMs: END });
    expect(JSON.stringify(again)).toBe(JSON.stringify(requests));
    const other = generateTraces({ count: 300, seed: 8, startMs: START, endMs: END });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(requests));
  });

  it('returns exactly `count` traces in requests of at most 20 traces', () => {
    expect(traces.size).toBe(300);
    for (const r of requests) expect(new Set(flatten([r]).map((s) => s.traceId)).size).toBeLessThanOrEqual(20);
    const perRequest = requests.reduce((sum, r) => sum + new Set(flatten([r]).map((s) => s.traceId)).size, 0);
    expect(perRequest, 'a trace was split across requests').toBe(300);
  });

  it('keeps every span inside the requested time range', () => {
    for (const s of spans) {
      expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(START) * 1_000_000n);
      expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(END) * 1_000_000n);
    }
  });

  it('nests every child span within its parent, in the same trace, with one root per trace', () => {
    for (const [, trace] of traces) {
      expect(trace.filter(isRoot)).toHaveLength(1);
      const byId = new Map(trace.map((s) => [s.spanId, s]));
      for (const s of trace) {
        expect(BigInt(s.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(s.startTimeUnixNano));
        if (isRoot(s)) continue;
        const parent = byId.get(s.parentSpanId!);
        expect(parent, `${s.name} has no parent in its trace`).toBeDefined();
        expect(BigInt(s.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(parent!.startTimeUnixNano));
        expect(BigInt(s.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(parent!.endTimeUnixNano));
      }
    }
  });

  it('mixes the three services and their conventions', () => {
    const services = new Set(spans.map((s) => s.service));
    expect([...services].sort()).toEqual(['docs-rag', 'support-bot', 'travel-agent']);
    expect(spans.some((s) => s.name === 'chat support-bot' && s.kind === 2)).toBe(true);
    expect(spans.some((s) => str(s, 'openinference.span.kind') === 'RETRIEVER' && str(s, 'retrieval.documents.0.document.content'))).toBe(true);
    expect(spans.some((s) => str(s, 'openinference.span.kind') === 'LLM' && attrOf(s, 'llm.token_count.total'))).toBe(true);
    expect(spans.some((s) => s.name === 'execute_tool search_flights' && attrOf(s, 'gen_ai.tool.call.result'))).toBe(true);
    expect(spans.some((s) => attrOf(s, 'gen_ai.prompt.0.content') && attrOf(s, 'gen_ai.usage.prompt_tokens'))).toBe(true);
    expect(spans.some((s) => str(s, 'gen_ai.output.messages')?.includes('"type":"tool_call"'))).toBe(true);
  });

  it('ends roughly 6 % of traces in an error with an exception event', () => {
    const failed = spans.filter((s) => isRoot(s) && s.status.code === 2);
    expect(failed.length / 300).toBeGreaterThan(0.02);
    expect(failed.length / 300).toBeLessThan(0.12);
    for (const root of failed) {
      expect(root.status.message).toBeTruthy();
      const erroredChild = traces.get(root.traceId)!.find((s) => !isRoot(s) && s.status.code === 2);
      expect(erroredChild?.events.find((e) => e.name === 'exception')?.attributes.map((a) => a.key)).toEqual(
        expect.arrayContaining(['exception.type', 'exception.message']),
      );
    }
  });

  it('retries failed model calls in roughly 8 % of traces, some of them twice', () => {
    const resend = (s: SpanJson) => Number((attrOf(s, 'http.request.resend_count') as { intValue?: string } | undefined)?.intValue ?? 0);
    const retried = [...traces.values()].filter((t) => t.some((s) => resend(s) > 0));
    expect(retried.length / 300).toBeGreaterThan(0.04);
    expect(retried.length / 300).toBeLessThan(0.2);
    expect(retried.some((t) => t.some((s) => resend(s) >= 2))).toBe(true);
    for (const trace of retried) {
      // The attempt before each retry failed, and is a sibling of it.
      for (const retry of trace.filter((s) => resend(s) > 0)) {
        const previous = trace.find((s) => s.parentSpanId === retry.parentSpanId && s.name === retry.name && resend(s) === resend(retry) - 1);
        expect(previous?.status.code).toBe(2);
      }
    }
  });

  it('has slow outliers: p95 root latency well above the median', () => {
    const ms = spans.filter(isRoot).map((s) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6).sort((a, b) => a - b);
    expect(ms[Math.floor(ms.length * 0.95)]).toBeGreaterThan(3 * ms[Math.floor(ms.length / 2)]);
  });

  it('attaches evaluation events, some of them failing', () => {
    const events = spans.flatMap((s) => s.events.filter((e) => e.name === 'gen_ai.evaluation.result'));
    expect(events.length).toBeGreaterThan(20);
    expect(events.map((e) => str(e, 'gen_ai.evaluation.score.label'))).toContain('fail');
    for (const e of events) expect(attrOf(e, 'gen_ai.evaluation.score.value')).toHaveProperty('doubleValue');
  });
});

describe('benchBatch', () => {
  it('has exactly 100 spans in 10 traces with valid ids and parents inside the trace', () => {
    const spans = flatten([benchBatch(3)]);
    expect(spans).toHaveLength(100);
    const traces = byTrace(spans);
    expect(traces.size).toBe(10);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(100);
    for (const [traceId, trace] of traces) {
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace).toHaveLength(10);
      expect(trace.filter(isRoot)).toHaveLength(1);
      const ids = new Set(trace.map((s) => s.spanId));
      for (const s of trace) {
        expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
        if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
      }
    }
  });

  it('honours other shapes and is deterministic', () => {
    expect(flatten([benchBatch(5, 4, 7)])).toHaveLength(28);
    expect(JSON.stringify(benchBatch(9))).toBe(JSON.stringify(benchBatch(9)));
    expect(JSON.stringify(benchBatch(9))).not.toBe(JSON.stringify(benchBatch(10)));
  });
});
