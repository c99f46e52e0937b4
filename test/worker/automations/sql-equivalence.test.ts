import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileRule } from '../../../worker/automations/compile';
import { snapshotFromSummary, type TraceSnapshot } from '../../../worker/automations/snapshot';
import { storeEvaluations, storeFeedback, type EvaluationRow, type FeedbackRow } from '../../../worker/data/signals';
import { listTraces } from '../../../worker/data/trace-index';
import { compileTraceQuery } from '../../../worker/data/trace-query';
import type { Condition } from '../../../worker/schemas/automations';
import { TraceFilter, type TraceSort } from '../../../worker/schemas/filters';

/**
 * The rule engine and the explorer must agree: for every (filter, trace) pair, `compileRule` on the
 * trace's snapshot says what `compileTraceQuery` + D1 say. The traces (boundary values, NULLs,
 * non-ASCII text, label-only evaluators, several results per evaluator) go into the real tables;
 * signals through the real writers, which derive `trace_evals` and the feedback counts; snapshots
 * are read back through `listTraces`. Each filter runs in time order (driven by `trace_evals` when it
 * has evaluator conditions) and in duration order (evaluator conditions as EXISTS), and must select
 * some traces but not all, so every row here can fail.
 */

const PROJECT = `p_eq_${crypto.randomUUID().slice(0, 8)}`;
const N = 32;
const T0 = Date.UTC(2025, 5, 1);
const HOUR = 3_600_000;

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Result = [score: number | null, label?: string];
type Fb = { thumbs?: 'up' | 'down'; rating?: number; sentiment?: 'positive' | 'neutral' | 'negative' };

const POOLS = {
  status: [['ok', 0], ['ok', 0], ['error', 1], ['error', 3], ['unset', 0], ['error', 0]] as [string, number][],
  model: [[null, []], ['gpt-4o', ['gpt-4o']], ['gpt-4o', ['gpt-4o', 'text-embedding-3-small']], ['gpt-4o-mini', ['gpt-4o-mini']], ['claude-sonnet-4', ['claude-sonnet-4', 'gpt-4o']]] as [string | null, string[]][],
  service: ['support-bot', 'search', null],
  environment: ['production', 'staging', null],
  promptVersion: ['v1', 'v2', null],
  retries: [0, 0, 1, 2, 3],
  duration: [0, 999, 1000, 4999, 5000, 12_000],
  tokens: [0, 100, 499, 500, 2000],
  cost: [null, 0, 0.001, 0.01, 0.05],
  tags: [[], ['vip'], ['beta', 'vip'], ['beta']],
  session: ['s-1', 's-2', null],
  user: ['u-1', 'u-2', null],
  input: ['What is the REFUND policy?', 'Ärger mit der Lieferung', 'viel ärger hier', null, 'Refund denied?', 'hello world'],
  output: ['Refunds within 30 days.', null, 'I cannot help with that', 'ÄRGER', 'policy? none'],
  faithfulness: [[], [[0.3]], [[0.5]], [[0.8], [0.3, 'hallucinated']], [[null, 'hallucinated']], [[0.9, 'pass'], [0.6, 'fail']]] as Result[][],
  relevance: [[], [[0.1]], [[0.2]], [[0.7, 'relevant']]] as Result[][],
  toxicity: [[], [], [[null, 'safe']], [[0.05, 'safe'], [null, 'toxic']]] as Result[][],
  feedback: [[], [], [{ thumbs: 'down' }], [{ thumbs: 'up' }], [{ thumbs: 'down', sentiment: 'negative' }], [{ thumbs: 'up', sentiment: 'positive' }], [{ rating: 0.2 }], [{ rating: 0.8 }, { rating: 0.4, sentiment: 'neutral' }], [{ rating: 0.5 }]] as Fb[][],
};

interface RawTrace {
  traceId: string;
  row: unknown[];
  evals: Record<string, Result[]>;
  feedback: Fb[];
}

function rawTraces(): RawTrace[] {
  const r = rng(20250601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: N }, (_, i) => {
    const traceId = (i + 1).toString(16).padStart(32, '0');
    const [status, errors] = pick(POOLS.status);
    const [model, models] = pick(POOLS.model);
    const start = T0 + i * HOUR;
    const duration = pick(POOLS.duration);
    const tokens = pick(POOLS.tokens);
    const row = [
      traceId, `trace ${i}`, pick(POOLS.service), pick(POOLS.environment), model, JSON.stringify(models), pick(POOLS.promptVersion),
      status, errors, pick(POOLS.retries), start, start + duration, duration, Math.floor(tokens / 2), tokens - Math.floor(tokens / 2), tokens,
      pick(POOLS.cost), pick(POOLS.session), pick(POOLS.user), JSON.stringify(pick(POOLS.tags)), pick(POOLS.input), pick(POOLS.output),
    ];
    return { traceId, row, evals: { faithfulness: pick(POOLS.faithfulness), relevance: pick(POOLS.relevance), toxicity: pick(POOLS.toxicity) }, feedback: pick(POOLS.feedback) };
  });
}

const INSERT_TRACE = `INSERT INTO traces (project_id, trace_id, name, service, environment, model, models, prompt_version, status,
  error_count, retry_count, start_ms, end_ms, duration_ms, input_tokens, output_tokens, total_tokens, cost_usd, session_id, user_id,
  tags, input_preview, output_preview, span_count) VALUES (${Array(23).fill('?').join(', ')}, 1)`;

async function seed(): Promise<TraceSnapshot[]> {
  const traces = rawTraces();
  await env.DB.batch(traces.map((t) => env.DB.prepare(INSERT_TRACE).bind(PROJECT, ...t.row)));
  const evals: EvaluationRow[] = traces.flatMap((t) =>
    Object.entries(t.evals).flatMap(([name, results]) =>
      results.map(([score, label], v): EvaluationRow => [crypto.randomUUID(), t.traceId, '', name, `v${v}`, 'llm', score, label ?? null, null, 'api', null, T0]),
    ),
  );
  const feedback: FeedbackRow[] = traces.flatMap((t) =>
    t.feedback.map((f): FeedbackRow => {
      const kind = f.thumbs ? 'thumbs' : 'rating';
      const normalized = f.thumbs ? (f.thumbs === 'up' ? 1 : 0) : f.rating!;
      return [crypto.randomUUID(), t.traceId, kind, f.thumbs ?? null, f.rating ?? null, f.thumbs ? null : 1, normalized, null, f.sentiment ?? null, null, null, T0];
    }),
  );
  await storeEvaluations(env.DB, PROJECT, evals);
  await storeFeedback(env.DB, PROJECT, feedback);

  const { data } = await listTraces(env.DB, PROJECT, {}, { sort: 'time', order: 'asc', limit: 200 });
  const { results } = await env.DB.prepare('SELECT trace_id, name, score, label FROM evaluations WHERE project_id = ?')
    .bind(PROJECT).all<{ trace_id: string; name: string; score: number | null; label: string | null }>();
  return data.map((summary) => snapshotFromSummary(summary, { evaluations: results.filter((e) => e.trace_id === summary.traceId) }));
}

const FILTERS: [string, unknown][] = [
  ['service', { service: 'support-bot' }],
  ['environment', { environment: 'production' }],
  ['model: primary or any', { model: 'gpt-4o' }],
  ['model: only as a secondary', { model: 'text-embedding-3-small' }],
  ['promptVersion', { promptVersion: 'v2' }],
  ['status error (with an inconsistent row)', { status: 'error' }],
  ['status ok', { status: 'ok' }],
  ['status unset', { status: 'unset' }],
  ['hasError', { hasError: true }],
  ['no error', { hasError: false }],
  ['minRetries 2', { minRetries: 2 }],
  ['minRetries 1', { minRetries: 1 }],
  ['minDuration boundary', { minDurationMs: 1000 }],
  ['maxDuration boundary', { maxDurationMs: 1000 }],
  ['duration range', { minDurationMs: 1000, maxDurationMs: 5000 }],
  ['tokens range', { minTokens: 100, maxTokens: 500 }],
  ['minCost 0 (NULL cost fails)', { minCost: 0 }],
  ['maxCost (NULL cost fails)', { maxCost: 0.01 }],
  ['tag', { tag: 'vip' }],
  ['session and user', { sessionId: 's-1', userId: 'u-1' }],
  ['text ASCII, any case', { text: 'REFUND' }],
  ['text non-ASCII lower', { text: 'ärger' }],
  ['text non-ASCII upper', { text: 'ÄRGER' }],
  ['text with punctuation', { text: 'policy?' }],
  ['eval below', { evals: [{ name: 'faithfulness', maxScore: 0.5 }] }],
  ['eval at least (boundary 0.5)', { evals: [{ name: 'faithfulness', minScore: 0.5 }] }],
  ['eval range', { evals: [{ name: 'faithfulness', minScore: 0.3, maxScore: 0.8 }] }],
  ['eval label on any result', { evals: [{ name: 'faithfulness', label: 'hallucinated' }] }],
  ['eval label of a non-minimum result', { evals: [{ name: 'faithfulness', label: 'pass' }] }],
  ['eval missing', { evals: [{ name: 'relevance', missing: true }] }],
  ['eval present', { evals: [{ name: 'relevance', missing: false }] }],
  ['eval bound on a label-only evaluator', { evals: [{ name: 'toxicity', maxScore: 1 }] }],
  ['eval label + bound', { evals: [{ name: 'toxicity', label: 'toxic', maxScore: 0.1 }] }],
  ['two evals', { evals: [{ name: 'faithfulness', missing: true }, { name: 'relevance', minScore: 0.2 }] }],
  ['thumbs down', { feedback: { thumbs: 'down' } }],
  ['thumbs up', { feedback: { thumbs: 'up' } }],
  ['negative sentiment', { feedback: { sentiment: 'negative' } }],
  ['neutral sentiment', { feedback: { sentiment: 'neutral' } }],
  ['rating at least', { feedback: { minRating: 0.5 } }],
  ['rating below', { feedback: { maxRating: 0.5 } }],
  ['ratings both ways', { feedback: { minRating: 0.7, maxRating: 0.5 } }],
  ['time window', { from: T0 + 5 * HOUR, to: new Date(T0 + 20 * HOUR).toISOString() }],
  ['time window + eval (driver bounded by time)', { from: T0 + 8 * HOUR, evals: [{ name: 'faithfulness' }] }],
  ['combined', { service: 'support-bot', hasError: false, maxDurationMs: 5000 }],
  ['combined with signals', { model: 'gpt-4o', feedback: { thumbs: 'down' }, evals: [{ name: 'faithfulness' }] }],
];

let snapshots: TraceSnapshot[];
beforeAll(async () => {
  snapshots = await seed();
});

async function sqlIds(filter: TraceFilter, sort: TraceSort): Promise<string[]> {
  const q = compileTraceQuery(PROJECT, filter, { sort, order: 'asc', limit: 200 }, 't.trace_id');
  const { results } = await env.DB.prepare(q.sql).bind(...q.args).all<{ trace_id: string }>();
  return results.map((r) => r.trace_id).sort();
}

function ruleIds(condition: Condition): string[] {
  const match = compileRule({ condition: 'all' in condition || 'any' in condition ? condition : { all: [condition] }, sampling: { rate: 1 } });
  return snapshots.filter(match).map((s) => s.traceId).sort();
}

describe('compileRule agrees with compileTraceQuery on D1', () => {
  it('reads back every seeded trace', () => {
    expect(snapshots).toHaveLength(N);
  });

  it.each(FILTERS)('%s', async (_, raw) => {
    const filter = TraceFilter.parse(raw);
    const expected = await sqlIds(filter, 'time');
    expect(await sqlIds(filter, 'duration')).toEqual(expected);
    expect(ruleIds(filter)).toEqual(expected);
    expect(expected.length, 'the fixture should leave this filter traces to select and to reject').toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(N);
  });

  it('groups are the intersection and union of their leaves', async () => {
    const [a, b, c] = [{ hasError: true }, { feedback: { thumbs: 'down' as const } }, { evals: [{ name: 'faithfulness', maxScore: 0.5 }] }];
    const [sa, sb, sc] = await Promise.all([a, b, c].map((f) => sqlIds(f, 'time')));
    const union = (...xs: string[][]) => [...new Set(xs.flat())].sort();
    const inter = (x: string[], y: string[]) => x.filter((id) => y.includes(id));
    expect(ruleIds({ any: [a, { all: [b, c] }] })).toEqual(union(sa, inter(sb, sc)));
    expect(ruleIds({ all: [{ any: [a, b] }, { any: [c, { tag: 'vip' }] }] })).toEqual(inter(union(sa, sb), union(sc, await sqlIds({ tag: 'vip' }, 'time'))));
  });
});
