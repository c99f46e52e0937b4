import { describe, expect, it } from 'vitest';
import { defaultPositive, humanFailure } from '../../../worker/insights/calibration';
import { call, hex, type Auth } from '../helpers';
import { makeQueue, queueProject, reviewers, submit, type QueueProject } from '../queues/fixtures';
import { evaluate, ingest, insight, queueOver, review, verdicts } from './calibration-fixtures';

const FAIL_SCORES = [0.1, 0.2, 0.3, 0.7];
const PASS_SCORES = [0.4, 0.8, 0.9, 0.9, 0.95, 1.0];

/** Ten reviewed traces, the first four failed, with `judge` scores correlated to the verdicts. */
async function reviewedProject(): Promise<{ p: QueueProject; queueId: string; traceIds: string[] }> {
  const p = await queueProject();
  const { queueId, traceIds } = await makeQueue(p, {}, 10);
  for (const [i, t] of traceIds.entries()) {
    const res = await submit(queueId, t, p.admin, { verdict: i < FAIL_SCORES.length ? 'fail' : 'pass' });
    expect(res.status, res.text).toBe(200);
  }
  const scores = [...FAIL_SCORES, ...PASS_SCORES];
  await evaluate(p.admin, [
    ...traceIds.map((traceId, i) => ({ traceId, name: 'judge', score: scores[i] })),
    // A higher span-level score does not hide the trace's lowest one.
    { traceId: traceIds[0], spanId: hex(8), name: 'judge', score: 0.99 },
    // Unreviewed traces and other evaluators are not paired.
    { traceId: hex(16), name: 'judge', score: 0.05 },
    ...traceIds.map((traceId) => ({ traceId, name: 'other', score: 0.5 })),
  ]);
  return { p, queueId, traceIds };
}

const calibration = (auth: Auth, params: Record<string, string | number | string[]>) => insight(auth, '/calibration', params);

describe('GET /api/v1/insights/calibration', () => {
  it('pairs the lowest score per trace with the verdict and reports the best-F1 confusion', async () => {
    const { p, queueId } = await reviewedProject();
    const res = await calibration(p.admin, { evaluator: 'judge', field: 'verdict', queueId });
    expect(res.status, res.text).toBe(200);
    // Failure predicted below 0.8: the four failures and the pass scored 0.4.
    expect(res.body).toMatchObject({ evaluator: 'judge', field: 'verdict', positive: 'fail', n: 10, basis: 'score', threshold: 0.8, thresholdSource: 'bestF1' });
    expect(res.body.confusion).toEqual({ tp: 4, fp: 1, fn: 0, tn: 5 });
    expect(res.body.metrics.accuracy).toBeCloseTo(0.9);
    expect(res.body.metrics.f1).toBeCloseTo(8 / 9);
    expect(res.body.tooFew).toBe(true);
    expect(res.body.note).toBe('100–200 labeled traces is usually enough');
    // pₒ = 0.9, pₑ = 0.5·0.4 + 0.5·0.6 = 0.5, κ = (0.9 − 0.5)/(1 − 0.5) = 0.8.
    expect(res.body.kappa.kappa).toBeCloseTo(0.8, 12);
    expect(res.body.kappa.ci95[0]).toBeLessThan(res.body.kappa.kappa);
    expect(res.body.accuracyCi.estimate).toBeCloseTo(0.9);
    expect(res.body.scored).toMatchObject({ n: 10, spearmanWith: 'failure' });
    expect(res.body.scored.spearman).toBeLessThan(-0.6);
    expect(res.body.scored.sweep.bestF1.threshold).toBe(0.8);
    expect(res.body.labelAgreement).toBeNull();
    expect(res.body.labelSources).toEqual({ adjudicated: 0, majority: 0, single: 10 });
  });

  it('judges at the threshold asked for', async () => {
    const { p } = await reviewedProject();
    const res = await calibration(p.admin, { evaluator: 'judge', field: 'verdict', threshold: 0.35 });
    // Below 0.35: three of the four failures (0.7 is missed), no pass.
    expect(res.body).toMatchObject({ threshold: 0.35, thresholdSource: 'query', confusion: { tp: 3, fp: 0, fn: 1, tn: 6 } });
    expect(res.body.scored.sweep.bestF1.threshold).toBe(0.8);
  });

  it('uses the evaluator labels when it gives no scores', async () => {
    const { p, traceIds } = await reviewedProject();
    // Right on every trace except the last pass, labelled fail.
    await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'labeller', label: i < 4 || i === 9 ? 'fail' : 'pass' })));
    const res = await calibration(p.admin, { evaluator: 'labeller', field: 'verdict' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ n: 10, basis: 'label', scored: null, confusion: { tp: 4, fp: 1, fn: 0, tn: 5 } });
    expect(res.body.labelAgreement.confusion).toEqual({ tp: 4, fp: 1, fn: 0, tn: 5 });
  });

  it('reads the evaluator label vocabulary through evaluatorPositive', async () => {
    const { p, traceIds } = await reviewedProject();
    await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'hallucination', label: i < 4 ? 'hallucinated' : 'grounded' })));
    const plain = await calibration(p.admin, { evaluator: 'hallucination', field: 'verdict' });
    expect(plain.body.confusion).toEqual({ tp: 0, fp: 0, fn: 4, tn: 6 });
    const mapped = await calibration(p.admin, { evaluator: 'hallucination', field: 'verdict', evaluatorPositive: 'hallucinated' });
    expect(mapped.body).toMatchObject({ evaluatorPositive: 'hallucinated', confusion: { tp: 4, fp: 0, fn: 0, tn: 6 } });
  });

  it('narrows to the explorer filters (model, evaluator score)', async () => {
    const p = await queueProject();
    const models = ['gpt-4o', 'gpt-4o', 'gpt-4o', 'claude-3', 'claude-3', 'claude-3'];
    const traceIds = await ingest(p.key, models.map((model) => ({ model })));
    const queueId = await queueOver(p, traceIds);
    await review(queueId, traceIds, p.admin, verdicts(['fail', 'pass', 'pass', 'fail', 'pass', 'pass']));
    const scores = [0.1, 0.9, 0.3, 0.2, 0.8, 0.7];
    await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'judge', score: scores[i] })));
    const q = { evaluator: 'judge', field: 'verdict', threshold: 0.5 };

    expect((await calibration(p.admin, q)).body).toMatchObject({ n: 6, confusion: { tp: 2, fp: 1, fn: 0, tn: 3 } });
    expect((await calibration(p.admin, { ...q, model: 'claude-3' })).body).toMatchObject({ n: 3, confusion: { tp: 1, fp: 0, fn: 0, tn: 2 } });
    expect((await calibration(p.admin, { ...q, model: 'gpt-4o' })).body).toMatchObject({ n: 3, confusion: { tp: 1, fp: 1, fn: 0, tn: 1 } });
    // The explorer's own syntax, repeatable: judge below 0.5 and above 0.15.
    const evalFiltered = await calibration(p.admin, { ...q, eval: ['judge:lt:0.5', 'judge:gte:0.15'] });
    expect(evalFiltered.body).toMatchObject({ n: 2, confusion: { tp: 1, fp: 1, fn: 0, tn: 0 } });
    expect((await calibration(p.admin, { ...q, hasError: 'true' })).body.n).toBe(0);
    expect((await calibration(p.admin, { ...q, eval: 'judge:sometimes' })).status).toBe(400);
  });

  it('uses an adjudicated label over the reviewers’ majority and for their ties', async () => {
    const p = await queueProject();
    const traceIds = await ingest(p.key, [{}, {}, {}, {}]);
    const queueId = await queueOver(p, traceIds, { reviewersPerItem: 2 });
    const [ann, bob] = await reviewers(p.projectId, 2);
    await review(queueId, traceIds, ann, verdicts(['fail', 'pass', 'pass', 'pass']));
    await review(queueId, traceIds, bob, verdicts(['fail', 'pass', 'fail', 'pass']));
    await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'judge', score: [0.1, 0.2, 0.9, 0.8][i] })));
    const q = { evaluator: 'judge', field: 'verdict', threshold: 0.5, queueId };

    // The tie on trace 2 has no label; trace 1's majority (pass) makes the judge's low score a false positive.
    const before = await calibration(p.admin, q);
    expect(before.body).toMatchObject({ n: 3, confusion: { tp: 1, fp: 1, fn: 0, tn: 1 }, labelSources: { adjudicated: 0, majority: 3, single: 0 } });

    for (const [t, verdict] of [[traceIds[1], 'fail'], [traceIds[2], 'pass']]) {
      const res = await call('PUT', `/api/v1/queues/${queueId}/items/${t}/adjudication`, p.admin, { values: { verdict } });
      expect(res.status, res.text).toBe(200);
    }
    const after = await calibration(p.admin, q);
    expect(after.body).toMatchObject({ n: 4, confusion: { tp: 2, fp: 0, fn: 0, tn: 2 }, labelSources: { adjudicated: 2, majority: 2, single: 0 } });
  });

  it('maps a numeric field to failure below the middle of its range and ranks scores against the values', async () => {
    const p = await queueProject();
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Quality', fields: [{ key: 'quality', title: 'Quality', type: 'numeric', min: 1, max: 5, integer: true }] });
    expect(schema.status, schema.text).toBe(201);
    const traceIds = await ingest(p.key, [{}, {}, {}, {}, {}]);
    const queueId = await queueOver(p, traceIds, { schemaId: schema.body.id });
    await review(queueId, traceIds, p.admin, [1, 2, 4, 5, 3].map((quality) => ({ quality })));
    await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'judge', score: [0.1, 0.3, 0.8, 0.9, 0.6][i] })));

    const res = await calibration(p.admin, { evaluator: 'judge', field: 'quality' });
    expect(res.body).toMatchObject({ positive: 'lt:3', n: 5, threshold: 0.6, confusion: { tp: 2, fp: 0, fn: 0, tn: 3 } });
    expect(res.body.scored).toMatchObject({ spearmanWith: 'value', spearman: 1 });
    const strict = await calibration(p.admin, { evaluator: 'judge', field: 'quality', positive: 'lt:4', threshold: 0.7 });
    expect(strict.body).toMatchObject({ n: 5, confusion: { tp: 3, fp: 0, fn: 0, tn: 2 } });
  });

  it('computes over the caller project only', async () => {
    const a = await reviewedProject();
    await reviewedProject();
    const res = await calibration(a.p.admin, { evaluator: 'judge', field: 'verdict' });
    expect(res.body.n).toBe(10);
  });

  it('returns n = 0 for an evaluator with no results', async () => {
    const { p } = await reviewedProject();
    const res = await calibration(p.admin, { evaluator: 'nobody', field: 'verdict' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ n: 0, tooFew: true, basis: 'none', scored: null, labelAgreement: null });
  });

  it('returns 400 without an evaluator', async () => {
    const { p } = await reviewedProject();
    const res = await calibration(p.admin, { field: 'verdict' });
    expect(res.status).toBe(400);
  });

  it('returns 404 for a queue of another project', async () => {
    const a = await queueProject();
    const { queueId } = await makeQueue(await queueProject(), {}, 0);
    const res = await calibration(a.admin, { evaluator: 'judge', field: 'verdict', queueId });
    expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('GET /api/v1/insights/evaluators', () => {
  it('lists each evaluator with its versions and the label fields that can hold a verdict', async () => {
    const p = await queueProject();
    const traceIds = await ingest(p.key, [{}, {}, {}]);
    await queueOver(p, traceIds);
    await call('POST', '/api/v1/label-schemas', p.admin, {
      name: 'Notes',
      fields: [
        { key: 'verdict', title: 'Verdict again', type: 'pass_fail' },
        { key: 'comment', title: 'Comment', type: 'text' },
        { key: 'safe', title: 'Safe', type: 'boolean' },
      ],
    });
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 0, 5);
    await evaluate(p.admin, [
      { traceId: traceIds[0], name: 'judge', evaluatorVersion: 'v1', score: 0.2, timestamp: t0 },
      { traceId: traceIds[1], name: 'judge', evaluatorVersion: 'v1', score: 0.9, timestamp: t0 + day },
      { traceId: traceIds[0], name: 'judge', evaluatorVersion: 'v2', score: 0.4, label: 'fail', timestamp: t0 + 2 * day },
      { traceId: traceIds[2], name: 'tone', label: 'rude', evaluatorKind: 'code', timestamp: t0 },
    ]);
    const res = await call('GET', '/api/v1/insights/evaluators', p.admin);
    expect(res.status, res.text).toBe(200);
    expect(res.body.evaluators).toEqual([
      {
        name: 'judge',
        kinds: ['llm'],
        results: 3,
        traces: 2,
        scored: 3,
        labelled: 1,
        minScore: 0.2,
        maxScore: 0.9,
        firstSeen: new Date(t0).toISOString(),
        lastSeen: new Date(t0 + 2 * day).toISOString(),
        versions: [
          { version: 'v1', results: 2, traces: 2, scored: 2, labelled: 0, minScore: 0.2, maxScore: 0.9, firstSeen: new Date(t0).toISOString(), lastSeen: new Date(t0 + day).toISOString() },
          { version: 'v2', results: 1, traces: 1, scored: 1, labelled: 1, minScore: 0.4, maxScore: 0.4, firstSeen: new Date(t0 + 2 * day).toISOString(), lastSeen: new Date(t0 + 2 * day).toISOString() },
        ],
      },
      expect.objectContaining({ name: 'tone', kinds: ['code'], scored: 0, labelled: 1, minScore: null, versions: [expect.objectContaining({ version: '' })] }),
    ]);
    const fields = Object.fromEntries(res.body.fields.map((f: any) => [f.key, f]));
    expect(Object.keys(fields).sort()).toEqual(['failure_modes', 'safe', 'verdict']);
    expect(fields.verdict).toMatchObject({ type: 'pass_fail', defaultPositive: 'fail', title: 'Verdict' });
    expect(fields.verdict.schemas.map((s: any) => s.name)).toEqual(['Failure modes', 'Notes']);
    expect(fields.failure_modes).toMatchObject({ type: 'categorical', multiple: true, defaultPositive: 'irrelevant' });
    expect(fields.failure_modes.options).toContain('hallucinated_reference');
    expect(fields.safe).toMatchObject({ type: 'boolean', defaultPositive: 'true' });
  });
});

describe('reading human labels', () => {
  it('defaults the failure value by field type', () => {
    expect(defaultPositive(null)).toBe('fail');
    expect(defaultPositive({ key: 'ok', title: 'OK', type: 'boolean', required: false, description: '' })).toBe('true');
    expect(defaultPositive({ key: 'q', title: 'Q', type: 'numeric', min: 0, max: 10, integer: false, required: false, description: '' })).toBe('lt:5');
  });

  it('reads lt:/gte: as numeric cuts and anything else as a value or a chosen option', () => {
    expect([1, 2.99, 3, 'x'].map(humanFailure('lt:3'))).toEqual([true, true, false, false]);
    expect([3, 4].map(humanFailure('gte:4'))).toEqual([false, true]);
    expect(humanFailure('fail')('fail')).toBe(true);
    expect(humanFailure('true')(true)).toBe(true);
    expect(humanFailure('b')(['a', 'b'])).toBe(true);
    expect(humanFailure('c')(['a', 'b'])).toBe(false);
  });
});
