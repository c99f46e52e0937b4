import { describe, expect, it } from 'vitest';
import { attributeAt, mapTrace } from '../../../worker/datasets/mapping';
import { FieldMapping, type FieldMappingInput } from '../../../worker/schemas/datasets';
import type { EvaluationResponse } from '../../../worker/schemas/signals';
import type { TraceDetailResponse, TraceSummary } from '../../../worker/schemas/traces';
import { toSpanDetail } from '../../../worker/semconv/span-detail';
import { spanWith } from '../semconv/span';

const TRACE = '5b8efff798038103d269b633813fc60c';
const ROOT = '1111111111111111';
const LLM = '2222222222222222';

const summary = {
  traceId: TRACE, model: 'gpt-4o-mini', promptVersion: 'v7', service: 'support-bot', environment: 'production', tags: ['vip'],
  scores: [{ name: 'faithfulness', score: 0.25, label: 'fail' }, { name: 'tone', score: null, label: 'polite' }],
  feedback: { count: 1, thumbsUp: 0, thumbsDown: 1, positive: 0, neutral: 0, negative: 0, minRating: null, maxRating: null },
} as unknown as TraceSummary;

function evaluation(name: string, label: string, explanation: string, at: string): EvaluationResponse {
  return { id: name + at, traceId: TRACE, spanId: null, name, score: 0.1, label, explanation, evaluatorKind: 'llm', evaluatorVersion: null, source: 'api', timestamp: at } as EvaluationResponse;
}

/** An agent trace: a chain root with plain input/output (OpenInference) and a chat LLM call under it. */
function trace(): TraceDetailResponse {
  const root = spanWith(
    {
      'openinference.span.kind': 'CHAIN',
      'input.value': 'Where is my order #42?',
      'output.value': 'It ships tomorrow.',
      'app.ticket': JSON.stringify({ id: 'T-9', customer: { tier: 'gold' } }),
      'app.reference_answer': 'It shipped today.',
    },
    { spanId: ROOT, name: 'agent', startMs: 1000, endMs: 5000 },
  );
  const llm = spanWith(
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You are a support agent.' }]),
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: 'Where is my order #42?' }] },
        { role: 'assistant', parts: [{ type: 'text', content: 'Let me check.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Thanks' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships tomorrow.' }], finish_reason: 'stop' }]),
    },
    { spanId: LLM, parentSpanId: ROOT, name: 'chat gpt-4o-mini', startMs: 2000, endMs: 4000 },
  );
  return {
    trace: summary,
    evaluations: [evaluation('correctness', 'wrong', 'old', '2026-01-01T00:00:00.000Z'), evaluation('correctness', 'wrong-date', 'It shipped today, not tomorrow.', '2026-01-02T00:00:00.000Z')],
    feedback: [],
    spans: [toSpanDetail(root), toSpanDetail(llm)],
  };
}

const map = (m: FieldMappingInput) => mapTrace(trace(), FieldMapping.parse(m));

describe('mapTrace', () => {
  it('by default takes the root input and output and the model, prompt version, scores and labels', () => {
    expect(map({})).toEqual({
      values: {
        input: 'Where is my order #42?',
        output: 'It ships tomorrow.',
        expectedOutput: null,
        metadata: { model: 'gpt-4o-mini', promptVersion: 'v7', scores: { faithfulness: 0.25 }, labels: { faithfulness: 'fail', tone: 'polite' } },
      },
      spanId: ROOT,
    });
  });

  it('takes the first user message, the last assistant message and the whole chat input', () => {
    const r = map({ input: { from: 'first_user_message' }, output: { from: 'last_assistant_message' }, metadata: { include: [] } });
    expect(r).toEqual({ values: { input: 'Where is my order #42?', output: 'It ships tomorrow.', expectedOutput: null, metadata: {} }, spanId: LLM });
    const chat = map({ input: { from: 'input_messages' } });
    expect('values' in chat && chat.values.input).toEqual([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Where is my order #42?' },
      { role: 'assistant', content: 'Let me check.' },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('reads span attributes by path, into JSON values, and from a named span', () => {
    const r = map({
      input: { from: 'span_attribute', path: 'app.ticket.customer.tier' },
      expectedOutput: { from: 'span_attribute', path: 'app.reference_answer' },
      output: { from: 'span_attribute', path: 'gen_ai.request.model', span: 'chat gpt-4o-mini' },
      metadata: { include: ['service', 'environment', 'tags', 'feedback', 'system'], attributes: [{ key: 'ticket', path: 'app.ticket.id' }] },
    });
    expect(r).toEqual({
      values: {
        input: 'gold',
        output: 'gpt-4o-mini',
        expectedOutput: 'It shipped today.',
        metadata: {
          service: 'support-bot', environment: 'production', tags: ['vip'], system: 'You are a support agent.', ticket: 'T-9',
          feedback: { count: 1, thumbsUp: 0, thumbsDown: 1, minRating: null, maxRating: null },
        },
      },
      spanId: ROOT,
    });
  });

  it("takes the expected output from an evaluator's newest label or explanation", () => {
    const label = map({ expectedOutput: { from: 'evaluation', name: 'correctness' } });
    const why = map({ expectedOutput: { from: 'evaluation', name: 'correctness', field: 'explanation' } });
    expect('values' in label && label.values.expectedOutput).toBe('wrong-date');
    expect('values' in why && why.values.expectedOutput).toBe('It shipped today, not tomorrow.');
    const none = map({ expectedOutput: { from: 'evaluation', name: 'nope' } });
    expect('values' in none && none.values.expectedOutput).toBeNull();
  });

  it('is a problem when the trace has nothing for the input', () => {
    expect(map({ input: { from: 'span_attribute', path: 'app.missing' } })).toEqual({ problem: 'the trace has no attribute app.missing for the input' });
  });
});

describe('attributeAt', () => {
  it('prefers the exact key, then the longest prefix key, and stops at missing parts', () => {
    const attrs = { 'a.b': 'exact', a: JSON.stringify({ b: 'nested', c: [10, 20] }), 'a.c': { d: 1 } };
    expect(attributeAt(attrs, 'a.b')).toBe('exact');
    expect(attributeAt(attrs, 'a.c.d')).toBe(1);
    expect(attributeAt(attrs, 'a.x')).toBeUndefined();
    expect(attributeAt({ list: [{ v: 'first' }] }, 'list.0.v')).toBe('first');
    expect(attributeAt({ s: 'not json' }, 's.k')).toBeUndefined();
  });
});
