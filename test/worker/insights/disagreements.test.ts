import { describe, expect, it } from 'vitest';
import { call, signIn } from '../helpers';
import { queueProject, type QueueProject } from '../queues/fixtures';
import { evaluate, ingest, insight, queueOver, review, verdicts } from './calibration-fixtures';

const SCORES = [0.1, 0.2, 0.3, 0.7, 0.4, 0.8, 0.9, 0.9, 0.95, 1.0];
const VERDICTS = verdicts(['fail', 'fail', 'fail', 'fail', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);

/**
 * Ten reviewed traces judged by `judge`. At threshold 0.5 the judge is wrong twice: it passes trace 3
 * (a failure scored 0.7, 0.2 from the cut) and fails trace 4 (a pass scored 0.4, 0.1 from the cut).
 */
async function judged(): Promise<{ p: QueueProject; queueId: string; traceIds: string[] }> {
  const p = await queueProject();
  const traceIds = await ingest(p.key, SCORES.map((_, i) => ({ input: `Question ${i}`, model: i < 5 ? 'gpt-4o' : 'claude-3' })));
  const queueId = await queueOver(p, traceIds);
  await review(queueId, traceIds, p.admin, VERDICTS);
  await evaluate(p.admin, traceIds.map((traceId, i) => ({ traceId, name: 'judge', evaluatorVersion: 'v3', score: SCORES[i], explanation: `Reason ${i}.` })));
  return { p, queueId, traceIds };
}

const Q = { evaluator: 'judge', field: 'verdict', threshold: 0.5 };

describe('GET /api/v1/insights/calibration/disagreements', () => {
  it('lists exactly the traces where the call and the verdict differ, most confident first', async () => {
    const { p, traceIds } = await judged();
    const res = await insight(p.admin, '/calibration/disagreements', Q);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ basis: 'score', threshold: 0.5, thresholdSource: 'query', paired: 10, total: 2, counts: { falsePositive: 1, falseNegative: 1 }, nextCursor: null });
    expect(res.body.data).toEqual([
      {
        traceId: traceIds[3],
        kind: 'false_negative',
        evaluatorVersion: 'v3',
        score: 0.7,
        evaluatorLabel: null,
        explanation: 'Reason 3.',
        humanLabel: 'fail',
        labelSource: 'single',
        reviewers: 1,
        inputPreview: expect.stringContaining('Question 3'),
        outputPreview: expect.any(String),
        startTime: expect.any(String),
      },
      expect.objectContaining({ traceId: traceIds[4], kind: 'false_positive', score: 0.4, humanLabel: 'pass', explanation: 'Reason 4.' }),
    ]);
  });

  it('uses the best-F1 threshold by default, pages, and narrows to filters', async () => {
    const { p, traceIds } = await judged();
    const best = await insight(p.admin, '/calibration/disagreements', { evaluator: 'judge', field: 'verdict' });
    expect(best.body).toMatchObject({ threshold: 0.8, thresholdSource: 'bestF1', total: 1 });
    expect(best.body.data.map((d: any) => d.traceId)).toEqual([traceIds[4]]);

    const first = await insight(p.admin, '/calibration/disagreements', { ...Q, limit: 1 });
    expect([first.body.data.map((d: any) => d.traceId), first.body.nextCursor]).toEqual([[traceIds[3]], '1']);
    const second = await insight(p.admin, '/calibration/disagreements', { ...Q, limit: 1, cursor: first.body.nextCursor });
    expect([second.body.data.map((d: any) => d.traceId), second.body.nextCursor]).toEqual([[traceIds[4]], null]);

    const claude = await insight(p.admin, '/calibration/disagreements', { ...Q, model: 'claude-3' });
    expect([claude.body.paired, claude.body.total]).toEqual([5, 0]);
  });
});

describe('POST /api/v1/insights/calibration/disagreements/queue', () => {
  it('adds the disagreements to a queue and reports what was already there', async () => {
    const { p, queueId, traceIds } = await judged();
    const target = await queueOver(p, [traceIds[4]]);
    const body = { ...Q, labelQueueId: queueId, queueId: target };
    const res = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, body);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ queueId: target, total: 2, sent: 2, added: [traceIds[3]], existing: [traceIds[4]], removed: [], notFound: [] });
    const items = await call('GET', `/api/v1/queues/${target}/items`, p.admin);
    expect(items.body.data.map((i: any) => i.itemId).sort()).toEqual([traceIds[3], traceIds[4]].sort());

    const again = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, body);
    expect(again.body).toMatchObject({ added: [], existing: [traceIds[3], traceIds[4]] });
  });

  it('sends the most confident `limit`, takes filters as JSON values, and refuses unknown keys', async () => {
    const { p, traceIds } = await judged();
    const target = await queueOver(p, [traceIds[0]]);
    const one = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, { ...Q, queueId: target, limit: 1 });
    expect(one.body).toMatchObject({ total: 2, sent: 1, added: [traceIds[3]] });
    const none = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, { ...Q, queueId: target, hasError: true });
    expect(none.body).toMatchObject({ total: 0, sent: 0, added: [] });
    const typo = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, { ...Q, queueId: target, modell: 'gpt-4o' });
    expect(typo.status).toBe(400);
  });

  it('is for admins, and 404 for a queue of another project', async () => {
    const { p, traceIds } = await judged();
    const target = await queueOver(p, [traceIds[0]]);
    const reviewer = await signIn(p.projectId, 'reviewer');
    const res = await call('POST', '/api/v1/insights/calibration/disagreements/queue', { cookie: reviewer.cookie }, { ...Q, queueId: target });
    expect(res.status).toBe(403);
    const other = await queueProject();
    const theirs = await queueOver(other, await ingest(other.key, [{}]));
    const cross = await call('POST', '/api/v1/insights/calibration/disagreements/queue', p.admin, { ...Q, queueId: theirs });
    expect([cross.status, cross.body.error.code]).toEqual([404, 'not_found']);
    expect((await call('GET', `/api/v1/queues/${theirs}/items`, other.admin)).body.data).toHaveLength(1);
  });
});

describe('POST /api/v1/insights/calibration/disagreements/dataset', () => {
  it('adds few-shot records: the trace, the human verdict as expected output, the judge’s call in the metadata', async () => {
    const { p, queueId, traceIds } = await judged();
    const dataset = await call('POST', '/api/v1/datasets', p.admin, { name: 'Judge examples' });
    const body = { ...Q, datasetId: dataset.body.id };
    const res = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', p.admin, body);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ datasetId: dataset.body.id, datasetName: 'Judge examples', created: false, total: 2, sent: 2, version: 1, added: 2, skipped: 0, notFound: 0, rejected: [] });

    const records = await call('GET', `/api/v1/datasets/${dataset.body.id}/records`, p.admin);
    const byTrace = Object.fromEntries(records.body.data.map((r: any) => [r.source.traceId, r]));
    const missed = byTrace[traceIds[3]];
    expect(JSON.stringify(missed.input)).toContain('Question 3');
    expect(missed.output).toBe('Refunds within 30 days.');
    expect(missed.expectedOutput).toBe('fail');
    expect(missed.metadata).toEqual({
      model: 'gpt-4o',
      annotation: {
        verdict: 'fail',
        disagreement: 'false_negative',
        labelSource: 'single',
        evaluator: { name: 'judge', version: 'v3', score: 0.7, label: null, explanation: 'Reason 3.' },
        reviewer: 'single review',
      },
    });
    expect(missed.source).toMatchObject({ kind: 'trace', traceId: traceIds[3], queueId });
    expect(byTrace[traceIds[4]]).toMatchObject({ expectedOutput: 'pass', metadata: { annotation: { disagreement: 'false_positive' } } });

    const again = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', p.admin, body);
    expect(again.body).toMatchObject({ added: 0, skipped: 2, version: null });
  });

  it('creates a dataset by name for admins only', async () => {
    const { p } = await judged();
    const res = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', p.admin, { ...Q, name: 'Blind spots' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ datasetName: 'Blind spots', created: true, added: 2 });
    expect((await call('GET', `/api/v1/datasets/${res.body.datasetId}`, p.admin)).body.recordCount).toBe(2);

    const reviewer = await signIn(p.projectId, 'reviewer');
    const refused = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', { cookie: reviewer.cookie }, { ...Q, name: 'Mine' });
    expect(refused.status).toBe(403);
    const into = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', { cookie: reviewer.cookie }, { ...Q, datasetId: res.body.datasetId });
    expect(into.body).toMatchObject({ added: 0, skipped: 2 });
    const nothing = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', p.admin, { ...Q, name: 'Empty', model: 'nope' });
    expect(nothing.status).toBe(422);
    const both = await call('POST', '/api/v1/insights/calibration/disagreements/dataset', p.admin, { ...Q, name: 'X', datasetId: res.body.datasetId });
    expect(both.status).toBe(400);
  });
});
