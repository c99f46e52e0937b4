import { describe, expect, it } from 'vitest';
import { call, hex, type Auth } from '../helpers';
import { makeQueue, queueProject, submit, type QueueProject } from '../queues/fixtures';
import { majority } from '../../../worker/insights/calibration';

const FAIL_SCORES = [0.1, 0.2, 0.3, 0.7];
const PASS_SCORES = [0.4, 0.8, 0.9, 0.9, 0.95, 1.0];

const postEvaluations = async (auth: Auth, items: Record<string, unknown>[]) => {
  const res = await call('POST', '/api/v1/evaluations', auth, { items });
  expect(res.status, res.text).toBe(200);
};

/** Ten reviewed traces, the first four failed, with `judge` scores correlated to the verdicts. */
async function reviewedProject(): Promise<{ p: QueueProject; queueId: string; traceIds: string[] }> {
  const p = await queueProject();
  const { queueId, traceIds } = await makeQueue(p, {}, 10);
  for (const [i, t] of traceIds.entries()) {
    const res = await submit(queueId, t, p.admin, { verdict: i < FAIL_SCORES.length ? 'fail' : 'pass' });
    expect(res.status, res.text).toBe(200);
  }
  const scores = [...FAIL_SCORES, ...PASS_SCORES];
  await postEvaluations(p.admin, [
    ...traceIds.map((traceId, i) => ({ traceId, name: 'judge', score: scores[i] })),
    // A higher span-level score does not hide the trace's lowest one.
    { traceId: traceIds[0], spanId: hex(8), name: 'judge', score: 0.99 },
    // Unreviewed traces and other evaluators are not paired.
    { traceId: hex(16), name: 'judge', score: 0.05 },
    ...traceIds.map((traceId) => ({ traceId, name: 'other', score: 0.5 })),
  ]);
  return { p, queueId, traceIds };
}

const calibration = (auth: Auth, params: Record<string, string>) =>
  call('GET', `/api/v1/insights/calibration?${new URLSearchParams(params)}`, auth);

describe('GET /api/v1/insights/calibration', () => {
  it('pairs the lowest score per trace with the verdict and reports the best-F1 confusion', async () => {
    const { p, queueId } = await reviewedProject();
    const res = await calibration(p.admin, { evaluator: 'judge', field: 'verdict', queueId });
    expect(res.status, res.text).toBe(200);
    // Failure predicted below 0.8: the four failures and the pass scored 0.4.
    expect(res.body).toMatchObject({ evaluator: 'judge', field: 'verdict', positive: 'fail', n: 10, basis: 'score', threshold: 0.8 });
    expect(res.body.confusion).toEqual({ tp: 4, fp: 1, fn: 0, tn: 5 });
    expect(res.body.metrics.accuracy).toBeCloseTo(0.9);
    expect(res.body.metrics.f1).toBeCloseTo(8 / 9);
    expect(res.body.tooFew).toBe(true);
    expect(res.body.note).toBe('100–200 labeled traces is usually enough');
    expect(res.body.kappa.kappa).toBeGreaterThan(0.7);
    expect(res.body.accuracyCi.estimate).toBeCloseTo(0.9);
    expect(res.body.scored.n).toBe(10);
    expect(res.body.scored.spearman).toBeLessThan(-0.6);
    expect(res.body.scored.sweep.bestF1.threshold).toBe(0.8);
    expect(res.body.labelAgreement).toBeNull();
  });

  it('uses the evaluator labels when it gives no scores', async () => {
    const { p, traceIds } = await reviewedProject();
    // Right on every trace except the last pass, labelled fail.
    await postEvaluations(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'labeller', label: i < 4 || i === 9 ? 'fail' : 'pass' })));
    const res = await calibration(p.admin, { evaluator: 'labeller', field: 'verdict' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ n: 10, basis: 'label', scored: null, confusion: { tp: 4, fp: 1, fn: 0, tn: 5 } });
    expect(res.body.labelAgreement.confusion).toEqual({ tp: 4, fp: 1, fn: 0, tn: 5 });
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

describe('majority', () => {
  it('takes the plurality label and excludes ties', () => {
    expect(majority(['fail', 'pass', 'fail'])).toBe('fail');
    expect(majority([true, false])).toBeUndefined();
    expect(majority([])).toBeUndefined();
  });
});
