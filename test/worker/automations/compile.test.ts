import { describe, expect, it } from 'vitest';
import { compileCondition, compileRule } from '../../../worker/automations/compile';
import { RuleCondition, type Condition } from '../../../worker/schemas/automations';
import { snap, type SnapInput } from './fixtures';

/** Parses like the API would, compiles, and matches one trace. */
const matches = (condition: unknown, trace: SnapInput) => compileCondition(RuleCondition.parse(condition))(snap(trace));
const leaf = (c: Condition) => ({ all: [c] });

describe('compileRule: trace filter leaves', () => {
  it('evaluation score bounds use the lowest score, min ≤ score < max', () => {
    const low = leaf({ evals: [{ name: 'faithfulness', maxScore: 0.5 }] });
    expect(matches(low, { evaluations: { faithfulness: { score: 0.49 } } })).toBe(true);
    expect(matches(low, { evaluations: { faithfulness: { score: 0.5 } } })).toBe(false);
    expect(matches(low, { evaluations: { relevance: { score: 0.1 } } })).toBe(false);
    const atLeast = leaf({ evals: [{ name: 'faithfulness', minScore: 0.5 }] });
    expect(matches(atLeast, { evaluations: { faithfulness: { score: 0.5 } } })).toBe(true);
    // Only labels (score NULL): a score bound cannot hold, as in SQL.
    expect(matches(atLeast, { evaluations: { faithfulness: { labels: ['pass'] } } })).toBe(false);
  });

  it('evaluation labels match any result; missing and present', () => {
    const label = leaf({ evals: [{ name: 'faithfulness', label: 'hallucinated' }] });
    expect(matches(label, { evaluations: { faithfulness: { score: 0.9, labels: ['ok', 'hallucinated'] } } })).toBe(true);
    expect(matches(label, { evaluations: { faithfulness: { score: 0.9, labels: ['ok'] } } })).toBe(false);
    const missing = leaf({ evals: [{ name: 'faithfulness', missing: true }] });
    expect(matches(missing, {})).toBe(true);
    expect(matches(missing, { evaluations: { faithfulness: { labels: ['x'] } } })).toBe(false);
    expect(matches(leaf({ evals: [{ name: 'faithfulness', missing: false }] }), { evaluations: { faithfulness: {} } })).toBe(true);
    expect(matches(leaf({ evals: [{ name: 'constructor' }] }), {})).toBe(false);
  });

  it('feedback: thumbs, sentiment and normalized rating', () => {
    expect(matches(leaf({ feedback: { thumbs: 'down' } }), { feedback: { count: 1, thumbsDown: 1 } })).toBe(true);
    expect(matches(leaf({ feedback: { thumbs: 'down' } }), { feedback: { count: 1, thumbsUp: 1 } })).toBe(false);
    expect(matches(leaf({ feedback: { sentiment: 'negative' } }), { feedback: { count: 1, negative: 1 } })).toBe(true);
    expect(matches(leaf({ feedback: { sentiment: 'neutral' } }), { feedback: { count: 1, negative: 1 } })).toBe(false);
    const rated = { feedback: { count: 2, minRating: 0.2, maxRating: 0.8 } };
    expect(matches(leaf({ feedback: { maxRating: 0.4 } }), rated)).toBe(true);
    expect(matches(leaf({ feedback: { minRating: 0.9 } }), rated)).toBe(false);
    expect(matches(leaf({ feedback: { maxRating: 1 } }), {})).toBe(false);
  });

  it('errors, retries, latency, tokens and cost thresholds', () => {
    expect(matches(leaf({ status: 'error' }), { status: 'error', errorCount: 2 })).toBe(true);
    expect(matches(leaf({ hasError: true }), {})).toBe(false);
    expect(matches(leaf({ hasError: false }), {})).toBe(true);
    expect(matches(leaf({ minRetries: 2 }), { retryCount: 2 })).toBe(true);
    expect(matches(leaf({ minRetries: 2 }), { retryCount: 1 })).toBe(false);
    expect(matches(leaf({ minDurationMs: 5000 }), { durationMs: 5000 })).toBe(true);
    expect(matches(leaf({ maxDurationMs: 5000 }), { durationMs: 5000 })).toBe(false);
    expect(matches(leaf({ minTokens: 100, maxTokens: 101 }), { totalTokens: 100 })).toBe(true);
    expect(matches(leaf({ maxCost: 1 }), { costUsd: null })).toBe(false);
    expect(matches(leaf({ minCost: 0 }), { costUsd: null })).toBe(false);
    expect(matches(leaf({ minCost: 0 }), { costUsd: 0 })).toBe(true);
  });

  it('model matches the primary model or any model of the trace; service, environment, prompt version, tags', () => {
    expect(matches(leaf({ model: 'text-embedding-3-small' }), { models: ['gpt-4o', 'text-embedding-3-small'] })).toBe(true);
    expect(matches(leaf({ model: 'gpt-4o' }), {})).toBe(false);
    expect(matches(leaf({ service: 'search', environment: 'production' }), { service: 'search' })).toBe(true);
    expect(matches(leaf({ service: 'search' }), { service: null })).toBe(false);
    expect(matches(leaf({ promptVersion: 'v2' }), {})).toBe(false);
    expect(matches(leaf({ tag: 'vip' }), { tags: ['beta', 'vip'] })).toBe(true);
    expect(matches(leaf({ sessionId: 's-1', userId: 'u-1' }), { sessionId: 's-1', userId: 'u-1' })).toBe(true);
  });

  it('text is a substring of either preview, case folded like SQLite (ASCII letters only)', () => {
    expect(matches(leaf({ text: 'REFUND' }), {})).toBe(true);
    expect(matches(leaf({ text: '30 days' }), { inputPreview: null })).toBe(true);
    expect(matches(leaf({ text: 'refund' }), { inputPreview: null, outputPreview: null })).toBe(false);
    expect(matches(leaf({ text: 'ärger' }), { inputPreview: 'Viel ärger' })).toBe(true);
    // SQLite's lower() leaves Ä as is, so the explorer does not find it; a rule must not either.
    expect(matches(leaf({ text: 'ärger' }), { inputPreview: 'Ärger' })).toBe(false);
  });

  it('a leaf is the AND of its fields', () => {
    const c = leaf({ service: 'support-bot', hasError: true, evals: [{ name: 'faithfulness', maxScore: 0.5 }] });
    expect(matches(c, { errorCount: 1, status: 'error', evaluations: { faithfulness: { score: 0.2 } } })).toBe(true);
    expect(matches(c, { errorCount: 1, status: 'error', evaluations: { faithfulness: { score: 0.7 } } })).toBe(false);
    expect(matches(c, { evaluations: { faithfulness: { score: 0.2 } } })).toBe(false);
  });
});

describe('compileRule: span attributes', () => {
  const attrs = { spanAttributes: { 'http.status_code': ['200', '503'], 'tool.name': ['web_search'], 'db.statement': ['SELECT * FROM Orders'] } };
  it('equals any value, contains case-insensitively, exists', () => {
    expect(matches(leaf({ spanAttribute: { key: 'http.status_code', op: 'equals', value: '503' } }), attrs)).toBe(true);
    expect(matches(leaf({ spanAttribute: { key: 'http.status_code', op: 'equals', value: '50' } }), attrs)).toBe(false);
    expect(matches(leaf({ spanAttribute: { key: 'db.statement', op: 'contains', value: 'from orders' } }), attrs)).toBe(true);
    expect(matches(leaf({ spanAttribute: { key: 'db.statement', op: 'contains', value: 'update' } }), attrs)).toBe(false);
    expect(matches(leaf({ spanAttribute: { key: 'tool.name', op: 'exists' } }), attrs)).toBe(true);
    expect(matches(leaf({ spanAttribute: { key: 'tool.name', op: 'exists' } }), {})).toBe(false);
  });
});

describe('compileRule: AND/OR groups', () => {
  const condition = {
    any: [
      { feedback: { thumbs: 'down' } },
      { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }, { any: [{ model: 'gpt-4o' }, { tag: 'vip' }] }] },
    ],
  };
  it.each([
    ['thumbs-down alone', { feedback: { count: 1, thumbsDown: 1 } }, true],
    ['low faithfulness on gpt-4o', { model: 'gpt-4o', evaluations: { faithfulness: { score: 0.1 } } }, true],
    ['low faithfulness for a vip', { tags: ['vip'], evaluations: { faithfulness: { score: 0.1 } } }, true],
    ['low faithfulness, other model, no tag', { evaluations: { faithfulness: { score: 0.1 } } }, false],
    ['gpt-4o, good faithfulness', { model: 'gpt-4o', evaluations: { faithfulness: { score: 0.9 } } }, false],
    ['nothing', {}, false],
  ] as [string, SnapInput, boolean][])('%s → %s', (_, trace, expected) => {
    expect(matches(condition, trace)).toBe(expected);
  });

  it('an empty filter leaf matches every trace', () => {
    expect(matches({ all: [{}] }, {})).toBe(true);
    expect(matches({ any: [{ status: 'error' }, {}] }, {})).toBe(true);
  });

  it('compiles strata beside the condition', () => {
    const rule = compileRule({
      condition: { all: [{ service: 'support-bot' }] },
      sampling: { strata: [{ when: { all: [{ feedback: { thumbs: 'down' } }] }, rate: 1 }], otherwise: 0.2 },
    });
    expect(rule.strata).toHaveLength(1);
    expect(rule.strata[0](snap({ feedback: { count: 1, thumbsDown: 1 } }))).toBe(true);
    expect(rule(snap({ service: 'search' }))).toBe(false);
  });

  it('refuses a filter field it does not know instead of ignoring it', () => {
    expect(() => compileCondition({ all: [{ colour: 'red' } as Condition] })).toThrow(/unknown filter field "colour"/);
  });
});
