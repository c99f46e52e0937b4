import { describe, expect, it } from 'vitest';
import { evaluationsFromSpan } from '../../../worker/signals/from-spans';
import { spanWith } from '../semconv/span';

const END = 1_700_000_001_000;
const event = (attributes: Record<string, unknown>, timeMs = 1_700_000_002_500, name = 'gen_ai.evaluation.result') => ({
  name,
  timeMs,
  timeUnixNano: `${timeMs}000000`,
  attributes: attributes as any,
});

describe('evaluationsFromSpan', () => {
  it('reads an OTel gen_ai.evaluation.result event with score, label and explanation', () => {
    const span = spanWith({}, {
      events: [event({
        'gen_ai.evaluation.name': 'relevance',
        'gen_ai.evaluation.score.value': 0.25,
        'gen_ai.evaluation.score.label': 'irrelevant',
        'gen_ai.evaluation.explanation': 'talks about shipping, not refunds',
      })],
    });
    expect(evaluationsFromSpan(span)).toEqual([{
      traceId: span.traceId,
      spanId: span.spanId,
      name: 'relevance',
      score: 0.25,
      label: 'irrelevant',
      explanation: 'talks about shipping, not refunds',
      evaluatorKind: 'llm',
      evaluatorVersion: '',
      timestampMs: 1_700_000_002_500,
    }]);
  });

  it('takes a label alone, a score sent as a string, the evaluator kind and version', () => {
    const span = spanWith({}, {
      events: [
        event({ 'gen_ai.evaluation.name': 'toxicity', 'gen_ai.evaluation.score.label': 'safe' }),
        event({
          'gen_ai.evaluation.name': 'exact_match',
          'gen_ai.evaluation.score.value': '1',
          'gen_ai.evaluation.evaluator.kind': 'CODE',
          'gen_ai.evaluation.evaluator.version': 'v3',
        }),
      ],
    });
    expect(evaluationsFromSpan(span).map((e) => [e.name, e.score, e.label, e.evaluatorKind, e.evaluatorVersion])).toEqual([
      ['toxicity', null, 'safe', 'llm', ''],
      ['exact_match', 1, null, 'code', 'v3'],
    ]);
  });

  it('skips events without a name, without a score or label, with a non-numeric score only, and other events', () => {
    const span = spanWith({}, {
      events: [
        event({ 'gen_ai.evaluation.score.value': 0.5 }),
        event({ 'gen_ai.evaluation.name': 'empty' }),
        event({ 'gen_ai.evaluation.name': 'nan', 'gen_ai.evaluation.score.value': 'high' }),
        event({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.5 }, 1, 'exception'),
      ],
    });
    expect(evaluationsFromSpan(span)).toEqual([]);
  });

  it("dates an event that has no time at the span's end", () => {
    const span = spanWith({}, { events: [event({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 1 }, 0)] });
    expect(evaluationsFromSpan(span)[0].timestampMs).toBe(END);
  });

  it('reads OpenInference annotation.<name>.* attributes, names with dots included', () => {
    const span = spanWith({
      'annotation.hallucination.score': 0,
      'annotation.hallucination.label': 'factual',
      'annotation.hallucination.explanation': 'grounded in the retrieved policy',
      'annotation.qa.correctness.label': 'correct',
      'annotation.qa.correctness.kind': 'human',
      'annotation.unscored.explanation': 'no score or label: ignored',
    });
    expect(evaluationsFromSpan(span)).toEqual([
      expect.objectContaining({ name: 'hallucination', score: 0, label: 'factual', explanation: 'grounded in the retrieved policy', evaluatorKind: 'llm', timestampMs: END }),
      expect.objectContaining({ name: 'qa.correctness', score: null, label: 'correct', evaluatorKind: 'human' }),
    ]);
  });

  it('reads indexed annotations.<i>.name|score|label attributes', () => {
    const span = spanWith({
      'annotations.0.name': 'helpfulness',
      'annotations.0.score': 4,
      'annotations.1.name': 'tone',
      'annotations.1.label': 'polite',
      'annotations.2.score': 1,
    });
    expect(evaluationsFromSpan(span).map((e) => [e.name, e.score, e.label])).toEqual([
      ['helpfulness', 4, null],
      ['tone', null, 'polite'],
    ]);
  });

  it('reads an OpenInference EVALUATOR span, named by metadata or by the span', () => {
    const named = spanWith({ 'openinference.span.kind': 'EVALUATOR', 'metadata.evaluator_name': 'faithfulness', 'metadata.score': 0.9, 'metadata.evaluator_version': '2' });
    expect(evaluationsFromSpan(named)).toEqual([expect.objectContaining({ name: 'faithfulness', score: 0.9, evaluatorVersion: '2' })]);
    const unnamed = spanWith({ 'openinference.span.kind': 'evaluator', 'metadata.label': 'pass' }, { name: 'judge' });
    expect(evaluationsFromSpan(unnamed)).toEqual([expect.objectContaining({ name: 'judge', score: null, label: 'pass' })]);
  });

  it('cuts an over-long name and label to the API limits', () => {
    const span = spanWith({}, { events: [event({ 'gen_ai.evaluation.name': 'n'.repeat(300), 'gen_ai.evaluation.score.label': 'l'.repeat(300) })] });
    const [e] = evaluationsFromSpan(span);
    expect([e.name.length, e.label?.length]).toEqual([128, 256]);
  });

  it('finds nothing on an ordinary LLM span', () => {
    expect(evaluationsFromSpan(spanWith({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }))).toEqual([]);
  });
});
