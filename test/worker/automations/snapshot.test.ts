import { describe, expect, it } from 'vitest';
import { collectSpanAttributes, snapshotFromSummary, SPAN_ATTRIBUTE_LIMITS } from '../../../worker/automations/snapshot';
import type { TraceSummary } from '../../../worker/schemas/traces';

const summary: TraceSummary = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736', name: 'chat', service: 'support-bot', environment: 'production', model: 'gpt-4o',
  models: ['gpt-4o'], promptVersion: 'v2', status: 'ok', errorCount: 0, retryCount: 0, llmCallCount: 1, spanCount: 2,
  startTime: '2025-06-01T10:00:00.000Z', endTime: '2025-06-01T10:00:01.500Z', durationMs: 1500, inputTokens: 10, outputTokens: 5,
  totalTokens: 15, costUsd: null, sessionId: null, userId: null, tags: ['vip'], inputPreview: 'hi', outputPreview: 'hello',
  updatedAt: '2025-06-01T10:00:02.000Z',
  scores: [{ name: 'faithfulness', score: 0.4, label: 'fail' }],
  feedback: { count: 1, thumbsUp: 0, thumbsDown: 1, positive: 0, neutral: 0, negative: 0, minRating: null, maxRating: null },
  evalCount: 3,
  redactions: 0,
};

describe('snapshotFromSummary', () => {
  it('carries the aggregates and the trace start in ms', () => {
    const s = snapshotFromSummary(summary);
    expect(s).toMatchObject({ traceId: summary.traceId, durationMs: 1500, costUsd: null, startMs: Date.UTC(2025, 5, 1, 10), tags: ['vip'] });
    expect(s.feedback.thumbsDown).toBe(1);
    expect(s.evaluations.get('faithfulness')).toEqual({ score: 0.4, labels: ['fail'] });
  });

  it('adds every label of the results, keeps the summary minimum, and fills in unlisted evaluators', () => {
    const s = snapshotFromSummary(summary, {
      evaluations: [
        { name: 'faithfulness', score: 0.9, label: 'pass' },
        { name: 'faithfulness', score: 0.4, label: 'fail' },
        { name: 'relevance', score: 0.7, label: null },
        { name: 'relevance', score: 0.2, label: null },
      ],
    });
    expect(s.evaluations.get('faithfulness')).toEqual({ score: 0.4, labels: ['fail', 'pass'] });
    expect(s.evaluations.get('relevance')).toEqual({ score: 0.2, labels: [] });
  });
});

describe('collectSpanAttributes', () => {
  it('gathers distinct values per key across spans, non-strings as JSON', () => {
    const m = collectSpanAttributes([{ 'http.status_code': 200, tool: 'search' }, { 'http.status_code': 503, tool: 'search', flag: true }, { tags: ['a', 'b'] }]);
    expect(Object.fromEntries(m)).toEqual({ 'http.status_code': ['200', '503'], tool: ['search'], flag: ['true'], tags: ['["a","b"]'] });
  });

  it('stays bounded in keys, values per key and value length', () => {
    const spans = Array.from({ length: 300 }, (_, i) => ({ [`k${i}`]: 'v', shared: `value-${i}`, prompt: 'x'.repeat(10_000) }));
    const m = collectSpanAttributes(spans);
    expect(m.size).toBe(SPAN_ATTRIBUTE_LIMITS.keys);
    expect(m.get('shared')).toHaveLength(SPAN_ATTRIBUTE_LIMITS.valuesPerKey);
    expect(m.get('prompt')![0]).toHaveLength(SPAN_ATTRIBUTE_LIMITS.valueLength);
  });
});
