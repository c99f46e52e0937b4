import { beforeAll, describe, expect, it } from 'vitest';
import { mannWhitney } from '../../../worker/insights/stats/mann-whitney';
import { twoProportionTest, wilsonInterval } from '../../../worker/insights/stats/wilson';
import { call, type Auth } from '../helpers';
import { queueProject, type QueueProject } from '../queues/fixtures';
import { adjudicate, ingest, insights, label, queueOf } from './segments-fixtures';

const DAY = 86_400_000;

interface World {
  p: QueueProject;
  queueId: string;
  a: string[];
  b: string[];
  small: string[];
  scoresA: number[];
  scoresB: number[];
}

/**
 * prompt v1 on gpt-4o (A): 40 reviewed traces, 30 pass, 4 irrelevant; prompt v2 on mini (B): 40 reviewed,
 * 20 pass, 12 irrelevant. `canary` (tag): 5 reviewed traces, all failed. Faithfulness scores on every
 * A and B trace, higher on A.
 */
async function world(): Promise<World> {
  const p = await queueProject();
  const start = Date.now() - 10 * DAY;
  const specs = (n: number, model: string, promptVersion: string, tags?: string[]) =>
    Array.from({ length: n }, (_, i) => ({ startMs: start + i * 60_000, model, promptVersion, tags }));
  const a = await ingest(p.key, specs(40, 'gpt-4o', 'v1'));
  const b = await ingest(p.key, specs(40, 'mini', 'v2'));
  const small = await ingest(p.key, specs(5, 'mini', 'v3', ['canary']));
  const queueId = await queueOf(p, [...a, ...b, ...small]);
  for (const [i, t] of a.entries()) await label(queueId, t, p.admin, { verdict: i < 30 ? 'pass' : 'fail', failure_modes: i >= 36 ? ['irrelevant'] : [] });
  for (const [i, t] of b.entries()) await label(queueId, t, p.admin, { verdict: i < 20 ? 'pass' : 'fail', failure_modes: i >= 28 ? ['irrelevant'] : [] });
  for (const t of small) await label(queueId, t, p.admin, { verdict: 'fail', failure_modes: ['tone_mismatch'] });
  const scoresA = a.map((_, i) => 0.5 + (i % 10) / 20);
  const scoresB = b.map((_, i) => 0.3 + (i % 10) / 20);
  const items = [...a.map((traceId, i) => ({ traceId, name: 'faithfulness', score: scoresA[i] })), ...b.map((traceId, i) => ({ traceId, name: 'faithfulness', score: scoresB[i] }))];
  expect((await call('POST', '/api/v1/evaluations', p.admin, { items })).status).toBe(200);
  return { p, queueId, a, b, small, scoresA, scoresB };
}

let w: World;
beforeAll(async () => {
  w = await world();
});

const compare = (auth: Auth, params: Record<string, string | number | string[] | undefined>) => insights('compare', auth, params);

describe('GET /api/v1/insights/compare', () => {
  it('compares two prompt versions: rates, Wilson intervals and two-proportion tests', async () => {
    const res = await compare(w.p.admin, { dimension: 'promptVersion', a: 'v1', b: 'v2' });
    expect(res.status, res.text).toBe(200);
    const body = res.body;
    expect(body.a).toMatchObject({ label: 'prompt = v1', filter: { promptVersion: 'v1' }, enoughData: true, tally: { labeled: 40, pass: { n: 40, passes: 30 } } });
    expect(body.b).toMatchObject({ label: 'prompt = v2', filter: { promptVersion: 'v2' }, enoughData: true, tally: { labeled: 40, pass: { n: 40, passes: 20 } } });
    expect([body.enoughData, body.overlap, body.minSegment, body.dimension]).toEqual([true, 0, 30, 'promptVersion']);
    const pass = body.metrics.find((m: any) => m.key === 'pass');
    expect(pass).toEqual({
      key: 'pass',
      kind: 'pass',
      a: { successes: 30, trials: 40, interval: wilsonInterval(30, 40) },
      b: { successes: 20, trials: 40, interval: wilsonInterval(20, 40) },
      test: twoProportionTest({ successes: 30, trials: 40 }, { successes: 20, trials: 40 }),
    });
    // Pooled p̂ = 50/80, SE = √(0.625·0.375·(2/40)) = 0.10825, z = 0.25/0.10825.
    expect(pass.test.z).toBeCloseTo(2.3094, 4);
    expect(pass.test.pValue).toBeCloseTo(0.0209, 4);
    const irrelevant = body.metrics.find((m: any) => m.key === 'irrelevant');
    expect([irrelevant.a.successes, irrelevant.a.trials, irrelevant.b.successes, irrelevant.b.trials]).toEqual([4, 40, 12, 40]);
    expect(irrelevant.test.difference).toBeCloseTo(-0.2, 12);
    expect(body.metrics.map((m: any) => m.key)).toEqual(['pass', 'irrelevant', 'hallucinated_reference', 'tone_mismatch', 'overly_verbose', 'incomplete_reasoning']);
    // Modes nobody picked cannot be tested; the notes name them.
    expect(body.metrics.find((m: any) => m.key === 'tone_mismatch').test.notEnoughData).toBe(true);
    expect(body.notes.find((n: string) => n.startsWith('Too little data'))).toMatch(/hallucinated_reference \(0 expected with it in A\)/);
  });

  it('compares the score distributions of each evaluator', async () => {
    const res = await compare(w.p.admin, { dimension: 'model', a: 'gpt-4o', b: 'mini', bins: 5 });
    expect(res.status, res.text).toBe(200);
    const [faith] = res.body.scores;
    expect(faith.evaluator).toBe('faithfulness');
    expect(faith.edges).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(faith.a).toMatchObject({ n: 40, min: 0.5, max: 0.95, median: 0.725 });
    expect(faith.a.mean).toBeCloseTo(0.725, 12);
    expect(faith.b).toMatchObject({ n: 40, min: 0.3, max: 0.75, median: 0.525 });
    // 0.3, 0.35 | 0.4…0.55 | 0.6…0.75 → 8, 16, 16 scores; A: 0.5, 0.55 | 0.6…0.75 | 0.8…0.95.
    expect(faith.b.counts).toEqual([0, 8, 16, 16, 0]);
    expect(faith.a.counts).toEqual([0, 0, 8, 16, 16]);
    expect(faith.test).toEqual(mannWhitney(w.scoresA, w.scoresB));
    expect(faith.test.pValue).toBeLessThan(0.001);
  });

  it('compares any two segments given as JSON filters, on top of the shared filters', async () => {
    const res = await compare(w.p.admin, {
      aFilter: JSON.stringify({ model: 'mini' }),
      bFilter: JSON.stringify({ tag: 'canary' }),
      bLabel: 'Canary',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.a).toMatchObject({ label: 'model = mini', tally: { labeled: 45 }, enoughData: true });
    expect(res.body.b).toMatchObject({ label: 'Canary', tally: { labeled: 5, counts: { tone_mismatch: 5 } }, enoughData: false });
    expect(res.body.enoughData).toBe(false);
    expect(res.body.overlap).toBe(5);
    expect(res.body.notes).toContain('Segment B (Canary) has 5 labeled traces; at least 30 are needed before its rates mean much.');
    expect(res.body.notes).toContain('5 labeled traces are in both segments; the tests assume the segments do not overlap.');
    expect(res.body.notes).toContain('faithfulness: no scores in B, nothing to compare.');
    // Shared filters narrow both sides: only failed mini traces with a low score.
    const narrowed = await compare(w.p.admin, { aFilter: '{"model":"mini"}', bFilter: '{"model":"gpt-4o"}', eval: 'faithfulness:lt:0.5' });
    expect(narrowed.body.a.tally.labeled).toBe(16);
    expect(narrowed.body.b.tally.labeled).toBe(0);
    expect(narrowed.body.notes).toContain('Segment B (model = gpt-4o) has no labeled traces.');
    expect(narrowed.body.filter).toEqual({ evals: [{ name: 'faithfulness', maxScore: 0.5 }] });
  });

  it('uses the adjudicated label over the review', async () => {
    await adjudicate(w.queueId, w.b[39], w.p.admin, { verdict: 'pass' });
    const res = await compare(w.p.admin, { dimension: 'promptVersion', a: 'v1', b: 'v2', queueId: w.queueId });
    expect(res.body.b.tally.pass).toMatchObject({ n: 40, passes: 21 });
    // The adjudication names the verdict only: the failure modes stay the reviewer's.
    expect(res.body.b.tally.counts.irrelevant).toBe(12);
  });

  it("computes over the caller's project only, and 404s another project's queue", async () => {
    const other = await world();
    const res = await compare(w.p.admin, { dimension: 'promptVersion', a: 'v1', b: 'v2' });
    expect(res.body.a.tally.labeled).toBe(40);
    expect(res.body.scores[0].a.n).toBe(40);
    const probe = await compare(w.p.admin, { dimension: 'promptVersion', a: 'v1', b: 'v2', queueId: other.queueId });
    expect([probe.status, probe.body.error.code]).toEqual([404, 'not_found']);
  });

  it('refuses incomplete or mixed segment definitions and bad filters with 400', async () => {
    for (const params of [
      {},
      { dimension: 'model', a: 'x' },
      { dimension: 'model', a: 'x', b: 'y', aFilter: '{}', bFilter: '{}' },
      { aFilter: '{}' },
      { aFilter: 'not json', bFilter: '{}' },
      { aFilter: '{"modle":"x"}', bFilter: '{}' },
      { aFilter: '{"minTokens":-1}', bFilter: '{}' },
      { dimension: 'colour', a: 'x', b: 'y' },
    ]) {
      const res = await compare(w.p.admin, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
    }
  });

  it('refuses a field that cannot be counted with 422', async () => {
    const fields = [
      { key: 'quality', title: 'Quality', type: 'numeric', min: 1, max: 5 },
      { key: 'outcome', title: 'Outcome', type: 'categorical', options: [{ value: 'ok' }, { value: 'wrong' }] },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', w.p.admin, { name: 'Other', fields });
    expect(schema.status, schema.text).toBe(201);
    const queueId = await queueOf(w.p, [w.a[0]], { schemaId: schema.body.id });
    await label(queueId, w.a[0], w.p.admin, { quality: 4, outcome: 'wrong' });
    const numeric = await compare(w.p.admin, { dimension: 'model', a: 'gpt-4o', b: 'mini', field: 'quality' });
    expect([numeric.status, numeric.body.error.message]).toEqual([422, '"quality" is a numeric field; the counted field must be a categorical, pass/fail or boolean field.']);
    const categorical = await compare(w.p.admin, { dimension: 'model', a: 'gpt-4o', b: 'mini', verdictField: 'outcome' });
    expect(categorical.status).toBe(422);
    const named = await compare(w.p.admin, { dimension: 'model', a: 'gpt-4o', b: 'mini', verdictField: 'outcome', failValue: 'wrong' });
    expect(named.body.a.tally.pass).toEqual({ n: 1, passes: 0, interval: wilsonInterval(0, 1) });
  });
});

describe('GET /api/v1/insights/dimensions', () => {
  it('lists each dimension’s values with trace and reviewed counts, most reviewed first', async () => {
    const unreviewed = await ingest(w.p.key, [{ startMs: Date.now() - DAY, model: 'o3', promptVersion: 'v1' }]);
    const res = await insights('dimensions', w.p.admin, {});
    expect(res.status, res.text).toBe(200);
    const { dimensions } = res.body;
    expect(dimensions.promptVersion.values).toEqual([
      { value: 'v1', traces: 41, labeled: 40 },
      { value: 'v2', traces: 40, labeled: 40 },
      { value: 'v3', traces: 5, labeled: 5 },
    ]);
    expect(dimensions.model.values.map((v: any) => [v.value, v.traces, v.labeled])).toEqual([
      ['mini', 45, 45],
      ['gpt-4o', 40, 40],
      ['o3', 1, 0],
    ]);
    expect(dimensions.tag).toEqual({ values: [{ value: 'canary', traces: 5, labeled: 5 }], none: { traces: 81, labeled: 80 }, truncated: false });
    expect(dimensions.environment).toEqual({ values: [], none: { traces: 86, labeled: 85 }, truncated: false });
    expect(dimensions.service.values).toEqual([{ value: 'test-svc', traces: 86, labeled: 85 }]);
    expect(unreviewed).toHaveLength(1);
  });

  it('takes the shared filters and a queue', async () => {
    const res = await insights('dimensions', w.p.admin, { model: 'gpt-4o', queueId: w.queueId });
    expect(res.body.dimensions.promptVersion.values).toEqual([{ value: 'v1', traces: 40, labeled: 40 }]);
    expect(res.body.filter).toEqual({ model: 'gpt-4o' });
    const other = await queueProject();
    const otherQueue = await queueOf(other, []);
    const probe = await insights('dimensions', w.p.admin, { queueId: otherQueue });
    expect(probe.status).toBe(404);
  });
});
