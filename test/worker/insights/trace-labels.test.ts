import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rebuildTraceLabels } from '../../../worker/data/trace-labels';
import { LABELS_VERSION } from '../../../worker/insights/materialize-sql';
import { storedLabels } from '../../../worker/insights/materialized-labels';
import type { AnnotationQueue } from '../../../worker/queues/annotation-queue';
import { call, shardOf, signIn } from '../helpers';
import { makeQueue, queueProject, reviewers, stubOf, submit } from '../queues/fixtures';
import { evaluate, insight, queueOver, review } from './calibration-fixtures';
import { ingest, insights } from './segments-fixtures';

const ingestSpecs = (key: string, specs: { model: string }[], now: number) => ingest(key, specs.map((s, i) => ({ ...s, startMs: now - 3_600_000 + i })));

/**
 * The materialized labels through Sieve's own doors: reviews arrive through the queue's outbox (also
 * after a failed flush), edits and adjudications change them in the same transaction, and data written
 * to D1 behind Sieve's back is picked up by a rebuild (on the next read, or asked for).
 */

const label = async (projectId: string, traceId: string, field = 'verdict', queueId?: string) => {
  const l = await storedLabels((await shardOf(projectId)), projectId, field, { queueId });
  return l.labels.get(traceId) ?? (l.contested.has(traceId) ? 'contested' : null);
};

const rowsOf = async (projectId: string) =>
  (await (await shardOf(projectId)).prepare('SELECT scope, field, kind, trace_id, value, source, reviewers, answers FROM trace_labels WHERE project_id = ? ORDER BY 1, 2, 3, 4').bind(projectId).all()).results;

describe('trace_labels on the write paths', () => {
  it('follows reviews, an edit, and an adjudication put and removed', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2 }, 1);
    const [t] = traceIds;
    const [a, b] = await reviewers(p.projectId, 2);
    expect((await submit(queueId, t, a, { verdict: 'fail', failure_modes: ['irrelevant', 'tone_mismatch'] })).status).toBe(200);
    expect(await label(p.projectId, t)).toMatchObject({ value: 'fail', source: 'single', reviewers: 1 });
    expect((await submit(queueId, t, b, { verdict: 'pass', failure_modes: ['tone_mismatch'] })).status).toBe(200);
    // One each way: a tie; the multi-select keeps what both chose.
    expect(await label(p.projectId, t)).toBe('contested');
    expect(await label(p.projectId, t, 'failure_modes')).toMatchObject({ value: ['tone_mismatch'], source: 'majority', reviewers: 2 });
    expect(await label(p.projectId, t, 'verdict', queueId)).toBe('contested');

    // The second reviewer changes their mind: a revision that replaces the review.
    const edit = await call('PUT', `/api/v1/queues/${queueId}/items/${t}/submission`, b, { values: { verdict: 'fail', failure_modes: ['irrelevant'] } });
    expect(edit.status, edit.text).toBe(200);
    expect(await label(p.projectId, t)).toMatchObject({ value: 'fail', source: 'majority', reviewers: 2 });
    expect(await label(p.projectId, t, 'failure_modes')).toMatchObject({ value: ['irrelevant'] });

    const admin = await signIn(p.projectId, 'admin');
    const put = await call('PUT', `/api/v1/queues/${queueId}/items/${t}/adjudication`, { cookie: admin.cookie }, { values: { verdict: 'pass' } });
    expect(put.status, put.text).toBe(200);
    expect(await label(p.projectId, t)).toMatchObject({ value: 'pass', source: 'adjudicated', reviewers: 2 });
    // The adjudication decided the verdict only.
    expect(await label(p.projectId, t, 'failure_modes')).toMatchObject({ value: ['irrelevant'], source: 'majority' });

    expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${t}/adjudication`, { cookie: admin.cookie })).status).toBe(204);
    expect(await label(p.projectId, t)).toMatchObject({ value: 'fail', source: 'majority' });
  });

  it('catches up when the outbox flush failed and was retried', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [a] = await reviewers(p.projectId, 1);
    await runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => {
      q.outbox.failNext = 1;
    });
    expect((await submit(queueId, traceIds[0], a, { verdict: 'fail' })).status).toBe(200);
    expect(await label(p.projectId, traceIds[0])).toBeNull();
    await runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => {
      q.clock.now = () => Date.now() + 5_000;
    });
    expect(await runDurableObjectAlarm(stubOf(queueId))).toBe(true);
    expect(await label(p.projectId, traceIds[0])).toMatchObject({ value: 'fail', source: 'single' });
  });
});

describe('rebuilding trace_labels', () => {
  /** A project whose annotations were written straight into D1 (as the benchmark seeds them): no labels yet. */
  async function writtenBehindOurBack() {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 3 }, 2);
    const { results } = await (await shardOf(p.projectId)).prepare('SELECT schema_id AS schemaId, schema_version AS version FROM annotation_queues WHERE id = ?').bind(queueId).all<{ schemaId: string; version: number }>();
    const [{ schemaId, version }] = results;
    const insert = (await shardOf(p.projectId)).prepare(
      `INSERT INTO annotations (id, project_id, queue_id, trace_id, reviewer_id, reviewer_name, schema_id, schema_version, "values", created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, 1, 1)`,
    );
    const verdicts = [['fail', 'fail', 'pass'], ['pass', 'fail', 'pass']];
    await (await shardOf(p.projectId)).batch(
      traceIds.flatMap((t, i) => verdicts[i].map((v, r) => insert.bind(crypto.randomUUID(), p.projectId, queueId, t, `r${r}`, schemaId, version, JSON.stringify({ verdict: v })))),
    );
    return { p, queueId, traceIds };
  }

  it('builds a project’s labels on its first insights read, once', async () => {
    const { p, traceIds } = await writtenBehindOurBack();
    expect(await rowsOf(p.projectId)).toEqual([]);
    const res = await insights('trends', p.admin, { field: 'verdict', verdictField: 'verdict' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.overall.total).toMatchObject({ labeled: 2, counts: { fail: 1, pass: 1 }, pass: { n: 2, passes: 1 } });
    const state = await (await shardOf(p.projectId)).prepare('SELECT version FROM trace_labels_state WHERE project_id = ?').bind(p.projectId).first<{ version: number }>();
    expect(state?.version).toBe(LABELS_VERSION);
    expect(await label(p.projectId, traceIds[0])).toMatchObject({ value: 'fail', source: 'majority', reviewers: 3 });
  });

  it('rebuilds when the labels were built by an older rule', async () => {
    const { p, traceIds } = await writtenBehindOurBack();
    await (await shardOf(p.projectId)).prepare('INSERT INTO trace_labels_state (project_id, version, built_at) VALUES (?, ?, 0)').bind(p.projectId, LABELS_VERSION - 1).run();
    expect(await label(p.projectId, traceIds[1])).toMatchObject({ value: 'pass', source: 'majority' });
  });

  it('POST /api/v1/insights/labels/rebuild recomputes the project and drops rows without reviews', async () => {
    const { p, traceIds } = await writtenBehindOurBack();
    await (await shardOf(p.projectId)).prepare('INSERT INTO trace_labels_state (project_id, version, built_at) VALUES (?, ?, 0)').bind(p.projectId, LABELS_VERSION).run();
    await (await shardOf(p.projectId)).prepare(`INSERT INTO trace_labels (project_id, scope, field, kind, trace_id, value, source, reviewers, answers) VALUES (?, '', 'verdict', 'pass_fail', 'gone', '"fail"', 'single', 1, 1)`)
      .bind(p.projectId)
      .run();
    // Marked built, so reads trust the rows: the direct inserts are not there yet.
    expect(await label(p.projectId, traceIds[0])).toBeNull();

    const reviewer = await signIn(p.projectId, 'reviewer');
    expect((await call('POST', '/api/v1/insights/labels/rebuild', { cookie: reviewer.cookie })).status).toBe(403);
    const res = await call('POST', '/api/v1/insights/labels/rebuild', p.admin);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ traces: 2, done: true });
    expect(res.body.rows).toBeGreaterThan(0);
    expect(await label(p.projectId, traceIds[0])).toMatchObject({ value: 'fail', source: 'majority', reviewers: 3 });
    expect((await rowsOf(p.projectId)).some((r) => r.trace_id === 'gone')).toBe(false);
  });

  it('goes on where the last call stopped when a project needs several', async () => {
    const { p, traceIds } = await writtenBehindOurBack();
    const first = await rebuildTraceLabels((await shardOf(p.projectId)), p.projectId, { pages: 1, pageSize: 1 });
    expect(first).toMatchObject({ traces: 1, done: false });
    // Not built yet: reads would build it themselves, so look at the rows.
    expect(new Set((await rowsOf(p.projectId)).map((r) => r.trace_id))).toEqual(new Set([[...traceIds].sort()[0]]));
    const rest = await rebuildTraceLabels((await shardOf(p.projectId)), p.projectId, { pages: 5, pageSize: 1 });
    expect(rest).toMatchObject({ traces: 1, done: true });
    const rows = await rowsOf(p.projectId);
    await rebuildTraceLabels((await shardOf(p.projectId)), p.projectId);
    expect(await rowsOf(p.projectId)).toEqual(rows);
    expect(await label(p.projectId, traceIds[1])).toMatchObject({ value: 'pass', source: 'majority', reviewers: 3 });
  });
});

describe('insights over a field whose type changed', () => {
  it('count only answers of the newest version’s type, in trends, compare and calibration', async () => {
    const p = await queueProject();
    const now = Date.now();
    const ids = await ingestSpecs(p.key, [{ model: 'm-a' }, { model: 'm-a' }, { model: 'm-b' }, { model: 'm-b' }], now);
    const [t1, t2, t3, t4] = ids;
    const v1 = [
      { key: 'verdict', title: 'Verdict', type: 'pass_fail' },
      { key: 'mode', title: 'Mode', type: 'categorical', options: [{ value: 'x' }, { value: 'y' }] },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Modes', fields: v1 });
    expect(schema.status, schema.text).toBe(201);
    const queueId = await queueOver(p, ids, { schemaId: schema.body.id, reviewersPerItem: 2 });
    const [r1, r2] = await reviewers(p.projectId, 2);
    // v1: single-select `mode`.
    await review(queueId, [t1], r1, [{ verdict: 'fail', mode: 'x' }]);
    await review(queueId, [t1], r2, [{ verdict: 'fail', mode: 'x' }]);
    // v2: `mode` becomes multi-select, so v1's two answers stop counting.
    const v2 = [v1[0], { ...v1[1], multiple: true }];
    expect((await call('PATCH', `/api/v1/label-schemas/${schema.body.id}`, p.admin, { fields: v2 })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { schemaVersion: 'latest' })).status).toBe(200);
    await review(queueId, [t2, t3, t4], r1, [{ verdict: 'pass', mode: ['x', 'y'] }, { verdict: 'pass', mode: ['x'] }, { verdict: 'fail', mode: ['y'] }]);
    await review(queueId, [t2], r2, [{ verdict: 'fail', mode: ['y'] }]);

    const common = { field: 'mode', verdictField: 'verdict', failValue: undefined };
    const trends = await insights('trends', p.admin, { ...common, to: now + 1 });
    expect(trends.status, trends.text).toBe(200);
    // t1: verdict only; t2: mode [y], verdict tied; t3: [x], pass; t4: [y], fail.
    expect(trends.body).toMatchObject({ fieldType: 'categorical', values: ['x', 'y'], skippedVersions: 2, contested: 1 });
    expect(trends.body.overall.total).toMatchObject({ labeled: 4, counts: { x: 1, y: 2 }, pass: { n: 3, passes: 1 } });

    const compare = await insights('compare', p.admin, { ...common, dimension: 'model', a: 'm-a', b: 'm-b' });
    expect(compare.status, compare.text).toBe(200);
    expect(compare.body).toMatchObject({ skippedVersions: 2, contested: 1, overlap: 0 });
    expect(compare.body.a.tally).toMatchObject({ labeled: 2, counts: { x: 0, y: 1 }, pass: { n: 1, passes: 0 } });
    expect(compare.body.b.tally).toMatchObject({ labeled: 2, counts: { x: 1, y: 1 }, pass: { n: 2, passes: 1 } });

    await evaluate(p.admin, [t1, t2, t3, t4].map((traceId, i) => ({ traceId, name: 'judge', score: [0.1, 0.2, 0.9, 0.3][i] })));
    const calibration = await insight(p.admin, '/calibration', { evaluator: 'judge', field: 'mode', positive: 'y', threshold: 0.5 });
    expect(calibration.status, calibration.text).toBe(200);
    // Only t2, t3 and t4 have a `mode` label of the multi-select kind; below 0.5 predicts "y".
    expect(calibration.body).toMatchObject({ n: 3, confusion: { tp: 2, fp: 0, fn: 0, tn: 1 }, labelSources: { majority: 1, single: 2, adjudicated: 0 } });
  });
});
