import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { bucketStart, bucketsOf } from '../../../worker/insights/trends';
import { wilsonInterval } from '../../../worker/insights/stats/wilson';
import { call, shardOf, type Auth } from '../helpers';
import { queueProject, reviewers, type QueueProject } from '../queues/fixtures';
import { adjudicate, ingest, insights, label, queueOf } from './segments-fixtures';

const DAY = 86_400_000;
const MODES = ['irrelevant', 'hallucinated_reference', 'tone_mismatch', 'overly_verbose', 'incomplete_reasoning'];

describe('bucketStart', () => {
  it('starts days at 00:00 UTC and weeks on Monday 00:00 UTC', () => {
    // 2024-01-01 was a Monday.
    expect(bucketStart(Date.UTC(2024, 0, 3, 15, 30), 'day')).toBe(Date.UTC(2024, 0, 3));
    expect(bucketStart(Date.UTC(2024, 0, 3, 15, 30), 'week')).toBe(Date.UTC(2024, 0, 1));
    expect(bucketStart(Date.UTC(2024, 0, 7, 23, 59, 59, 999), 'week')).toBe(Date.UTC(2024, 0, 1));
    expect(bucketStart(Date.UTC(2024, 0, 8), 'week')).toBe(Date.UTC(2024, 0, 8));
    expect(bucketStart(0, 'week')).toBe(Date.UTC(1969, 11, 29));
  });

  it('lists the buckets a range meets and marks the cut ones partial', () => {
    const b = bucketsOf(Date.UTC(2024, 0, 3), Date.UTC(2024, 0, 15, 12), 'week');
    expect(b.map((x) => [new Date(x.start).toISOString().slice(0, 10), x.partial])).toEqual([
      ['2024-01-01', true],
      ['2024-01-08', false],
      ['2024-01-15', true],
    ]);
    expect(() => bucketsOf(0, Date.UTC(2024, 0, 1), 'day')).toThrow(/more than 400 days; narrow it or use bucket=week/);
  });
});

interface World {
  p: QueueProject;
  base: number;
  ids: string[];
  queueId: string;
  range: { from: number; to: number };
}

/**
 * Two ISO weeks of reviewed traces, each reviewed by two reviewers:
 * week 0: t0 gpt-4o v1 [a, b] fail {irrelevant, tone_mismatch}; t1 gpt-4o v1 [a] pass {}; t2 mini v2 fail {irrelevant}
 * week 1: t3 gpt-4o v2 pass (no failure modes given); t4 mini v2 reviewers tie, adjudicated fail {overly_verbose};
 *         t5 claude (no prompt version) pass.
 * Outside the range or unreviewed: t6 (a week earlier, fail), t7 (week 0, never reviewed).
 */
async function world(): Promise<World> {
  const p = await queueProject();
  const base = bucketStart(Date.now() - 28 * DAY, 'week');
  const at = (days: number) => base + days * DAY + 3_600_000;
  const ids = await ingest(p.key, [
    { startMs: at(1), model: 'gpt-4o', promptVersion: 'v1', tags: ['a', 'b'] },
    { startMs: at(2), model: 'gpt-4o', promptVersion: 'v1', tags: ['a'] },
    { startMs: at(3), model: 'mini', promptVersion: 'v2' },
    { startMs: at(8), model: 'gpt-4o', promptVersion: 'v2' },
    { startMs: at(9), model: 'mini', promptVersion: 'v2', environment: 'staging' },
    { startMs: at(10), model: 'claude' },
    { startMs: at(-6), model: 'gpt-4o', promptVersion: 'v1' },
    { startMs: at(4), model: 'gpt-4o', promptVersion: 'v1' },
  ]);
  const queueId = await queueOf(p, ids, { reviewersPerItem: 2 });
  const [r1, r2] = await reviewers(p.projectId, 2);
  const both = async (t: string, values: Record<string, unknown>, second: Record<string, unknown> = values) => {
    await label(queueId, t, r1, values);
    await label(queueId, t, r2, second);
  };
  await both(ids[0], { verdict: 'fail', failure_modes: ['irrelevant', 'tone_mismatch'] });
  await both(ids[1], { verdict: 'pass', failure_modes: [] });
  await both(ids[2], { verdict: 'fail', failure_modes: ['irrelevant'] }, { verdict: 'fail', failure_modes: ['irrelevant', 'overly_verbose'] });
  await both(ids[3], { verdict: 'pass' });
  await both(ids[4], { verdict: 'pass', failure_modes: [] }, { verdict: 'fail', failure_modes: ['overly_verbose'] });
  await both(ids[5], { verdict: 'pass', failure_modes: [] });
  await both(ids[6], { verdict: 'fail', failure_modes: ['irrelevant'] });
  return { p, base, ids, queueId, range: { from: base, to: base + 14 * DAY } };
}

let w: World;
beforeAll(async () => {
  w = await world();
});

const trends = (auth: Auth, params: Record<string, string | number | string[] | undefined>) => insights('trends', auth, params);

describe('GET /api/v1/insights/trends', () => {
  it('counts each failure mode and the pass rate per week, on the effective labels', async () => {
    // The tie on t4 is settled by an admin; before that its verdict is contested and left out.
    const before = await trends(w.p.admin, { ...w.range, queueId: w.queueId });
    expect(before.status, before.text).toBe(200);
    expect(before.body.overall.points[1].pass).toMatchObject({ n: 2, passes: 2 });
    expect(before.body.contested).toBe(1);
    expect(before.body.notes.join(' ')).toMatch(/1 trace has reviewers who tie/);

    await adjudicate(w.queueId, w.ids[4], w.p.admin, { verdict: 'fail', failure_modes: ['overly_verbose'] });
    const res = await trends(w.p.admin, w.range);
    expect(res.status, res.text).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ field: 'failure_modes', fieldType: 'categorical', verdictField: 'verdict', verdictType: 'pass_fail', failValue: 'fail', bucket: 'week', from: w.base, to: w.base + 14 * DAY, splitBy: null, series: [], contested: 0 });
    expect(body.values).toEqual(MODES);
    expect(body.buckets).toEqual([
      { start: w.base, end: w.base + 7 * DAY, partial: false },
      { start: w.base + 7 * DAY, end: w.base + 14 * DAY, partial: false },
    ]);
    const [week0, week1] = body.overall.points;
    // Multi-select majority: an option counts when more than half of the reviewers chose it.
    expect(week0.labeled).toBe(3);
    expect(week0.counts).toEqual({ irrelevant: 2, hallucinated_reference: 0, tone_mismatch: 1, overly_verbose: 0, incomplete_reasoning: 0 });
    expect(week0.rates.irrelevant).toBeCloseTo(2 / 3, 12);
    expect(week0.pass).toEqual({ n: 3, passes: 1, interval: wilsonInterval(1, 3) });
    expect(week1.labeled).toBe(3);
    expect(week1.counts).toMatchObject({ irrelevant: 0, overly_verbose: 1 });
    expect(week1.pass).toMatchObject({ n: 3, passes: 2 });
    expect(body.overall.total).toMatchObject({ labeled: 6, counts: { irrelevant: 2, tone_mismatch: 1, overly_verbose: 1 }, pass: { n: 6, passes: 3 } });
  });

  it('splits by model, keeping the largest series and summing the rest into other', async () => {
    const res = await trends(w.p.admin, { ...w.range, splitBy: 'model', series: 2 });
    expect(res.status, res.text).toBe(200);
    const series = res.body.series.map((s: any) => [s.kind, s.value, s.total.labeled, s.points.map((p: any) => p.labeled)]);
    expect(series).toEqual([
      ['value', 'gpt-4o', 3, [2, 1]],
      ['value', 'mini', 2, [1, 1]],
      ['other', null, 1, [0, 1]],
    ]);
    expect(res.body.otherValues).toBe(1);
    expect(res.body.series[0].points[0].pass).toMatchObject({ n: 2, passes: 1 });
  });

  it('gives traces without a value their own series, and counts a trace in each of its tags', async () => {
    const byPrompt = await trends(w.p.admin, { ...w.range, splitBy: 'promptVersion' });
    expect(byPrompt.body.series.map((s: any) => [s.kind, s.value, s.total.labeled])).toEqual([
      ['value', 'v2', 3],
      ['value', 'v1', 2],
      ['none', null, 1],
    ]);
    const byTag = await trends(w.p.admin, { ...w.range, splitBy: 'tag', series: 2 });
    expect(byTag.body.series.map((s: any) => [s.kind, s.value, s.total.labeled])).toEqual([
      ['none', null, 4],
      ['value', 'a', 2],
      ['other', null, 1],
    ]);
    expect(byTag.body.notes).toContain('A trace with several tags counts in the series of each of its tags.');
  });

  it("takes the explorer's filters, including evaluator conditions", async () => {
    const model = await trends(w.p.admin, { ...w.range, model: 'gpt-4o' });
    expect(model.body.overall.total.labeled).toBe(3);
    expect(model.body.filter).toEqual({ ...w.range, model: 'gpt-4o' });
    const items = [{ traceId: w.ids[0], name: 'faithfulness', score: 0.2 }, { traceId: w.ids[1], name: 'faithfulness', score: 0.9 }];
    expect((await call('POST', '/api/v1/evaluations', w.p.admin, { items })).status).toBe(200);
    const low = await trends(w.p.admin, { ...w.range, eval: 'faithfulness:lt:0.5' });
    expect(low.body.overall.total).toMatchObject({ labeled: 1, counts: { irrelevant: 1, tone_mismatch: 1 } });
    const both = await trends(w.p.admin, { ...w.range, eval: ['faithfulness:present', 'faithfulness:gte:0.5'] });
    expect(both.body.overall.total.labeled).toBe(1);
    const env = await trends(w.p.admin, { ...w.range, environment: 'staging' });
    expect(env.body.overall.total).toMatchObject({ labeled: 1, counts: { overly_verbose: 1 } });
  });

  it('buckets by UTC day and defaults to the 90 days before now, from the first reviewed trace on', async () => {
    const days = await trends(w.p.admin, { ...w.range, bucket: 'day' });
    expect(days.body.buckets).toHaveLength(14);
    expect(days.body.overall.points.map((p: any) => p.labeled)).toEqual([0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
    const dflt = await trends(w.p.admin, {});
    expect(dflt.status).toBe(200);
    expect(dflt.body.to - dflt.body.from).toBeLessThanOrEqual(90 * DAY);
    expect(dflt.body.bucket).toBe('week');
    // No empty weeks before the first reviewed trace: the first bucket holds it.
    expect(dflt.body.overall.points[0].labeled).toBeGreaterThan(0);
    expect(dflt.body.buckets[0].partial).toBe(false);
    // The trace a week before the range is in the default range too.
    expect(dflt.body.overall.total.labeled).toBe(7);
  });

  it("reads only the named queue's labels", async () => {
    // t0 again in a second queue, passed there by the key: on its own that queue says pass.
    const other = await queueOf(w.p, [w.ids[0]]);
    await label(other, w.ids[0], w.p.admin, { verdict: 'pass', failure_modes: [] });
    const scoped = await trends(w.p.admin, { ...w.range, queueId: other });
    expect(scoped.body.overall.total).toMatchObject({ labeled: 1, pass: { n: 1, passes: 1 }, counts: { irrelevant: 0 } });
    // Across queues, two fails outvote one pass.
    const all = await trends(w.p.admin, w.range);
    expect(all.body.overall.points[0].pass).toMatchObject({ n: 3, passes: 1 });
  });

  it('counts the values of a pass/fail field too', async () => {
    const res = await trends(w.p.admin, { ...w.range, field: 'verdict' });
    expect(res.body).toMatchObject({ fieldType: 'pass_fail', values: ['pass', 'fail'] });
    expect(res.body.overall.total.counts).toEqual({ pass: 3, fail: 3 });
  });

  it('says so when a field has no answers', async () => {
    const res = await trends(w.p.admin, { ...w.range, field: 'tone' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fieldType: null, values: [] });
    expect(res.body.notes).toContain('No reviewer answered "tone" on these traces.');
  });

  it("never counts another project's labels", async () => {
    const other = await world();
    const res = await trends(w.p.admin, w.range);
    expect(res.body.overall.total.labeled).toBe(6);
    const theirs = await trends(other.p.admin, other.range);
    expect(theirs.body.overall.total.labeled).toBe(6);
    const probe = await trends(w.p.admin, { ...w.range, queueId: other.queueId });
    expect([probe.status, probe.body.error.code]).toEqual([404, 'not_found']);
  });

  it('refuses bad parameters with 400', async () => {
    for (const params of [{ bucket: 'month' }, { splitBy: 'colour' }, { field: 'Not A Key' }, { from: w.base + DAY, to: w.base }, { from: 0, bucket: 'day' }, { series: 0 }]) {
      const res = await trends(w.p.admin, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
    }
  });

  it('needs read access', async () => {
    const res = await call('GET', '/api/v1/insights/trends', {});
    expect(res.status).toBe(401);
  });
});

describe('trends over D1 directly', () => {
  it('ignores an annotation of a trace that is gone', async () => {
    await (await shardOf(w.p.projectId)).prepare(`DELETE FROM traces WHERE project_id = ? AND trace_id = ?`).bind(w.p.projectId, w.ids[5]).run();
    const res = await trends(w.p.admin, w.range);
    expect(res.body.overall.total.labeled).toBe(5);
  });
});
