import { describe, expect, it } from 'vitest';
import { bucketStart } from '../../../worker/insights/calibration-history';
import { queueProject, type QueueProject } from '../queues/fixtures';
import { evaluate, ingest, insight, queueOver, review, verdicts } from './calibration-fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Eight traces over two ISO weeks (two days in the first), each failed or passed, judged by `judge`
 * v1 (one mistake in week A) and later by v2 (no mistake).
 */
async function judgedTwice(): Promise<{ p: QueueProject; weekA: number; weekB: number; traceIds: string[] }> {
  const weekB = bucketStart(Date.now(), 'week') - 7 * DAY;
  const weekA = weekB - 7 * DAY;
  const starts = [weekA + 36 * HOUR, weekA + 36 * HOUR, weekA + 60 * HOUR, weekA + 60 * HOUR, ...Array(4).fill(weekB + 36 * HOUR)];
  const p = await queueProject();
  const traceIds = await ingest(p.key, starts.map((startMs) => ({ startMs })));
  const queueId = await queueOver(p, traceIds);
  await review(queueId, traceIds, p.admin, verdicts(['fail', 'fail', 'pass', 'pass', 'fail', 'fail', 'pass', 'pass']));
  const v1 = [0.2, 0.7, 0.3, 0.9, 0.1, 0.6, 0.8, 0.9];
  const v2 = [0.1, 0.2, 0.8, 0.9, 0.1, 0.2, 0.8, 0.9];
  await evaluate(p.admin, [
    ...traceIds.map((traceId, i) => ({ traceId, name: 'judge', evaluatorVersion: 'v1', score: v1[i], timestamp: weekA + 3 * DAY })),
    ...traceIds.map((traceId, i) => ({ traceId, name: 'judge', evaluatorVersion: 'v2', score: v2[i], timestamp: weekB + 3 * DAY })),
  ]);
  return { p, weekA, weekB, traceIds };
}

const history = (p: QueueProject, params: Record<string, string | number>) => insight(p.admin, '/calibration/history', { evaluator: 'judge', field: 'verdict', ...params });

describe('GET /api/v1/insights/calibration/history', () => {
  it('splits by evaluator version and week, each version at its own best-F1 threshold', async () => {
    const { p, weekA, weekB } = await judgedTwice();
    const res = await history(p, {});
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ bucket: 'week', bucketBy: 'trace_start', thresholdSource: 'bestF1PerVersion', positive: 'fail' });
    const [v1, v2] = res.body.versions;
    expect(res.body.versions).toHaveLength(2);
    // v1 below 0.8 catches every failure; the pass scored 0.3 in week A is its one false positive.
    expect(v1).toMatchObject({ version: 'v1', basis: 'score', threshold: 0.8, n: 8, confusion: { tp: 4, fp: 1, fn: 0, tn: 3 } });
    expect(v1.buckets.map((b: any) => [b.start, b.n, b.confusion])).toEqual([
      [iso(weekA), 4, { tp: 2, fp: 1, fn: 0, tn: 1 }],
      [iso(weekB), 4, { tp: 2, fp: 0, fn: 0, tn: 2 }],
    ]);
    // Week A: pₒ = 3/4, pₑ = 3/4·1/2 + 1/4·1/2 = 1/2, so κ = 1/2; accuracy 3/4 and F1 = 4/5.
    expect(v1.buckets[0].kappa.kappa).toBeCloseTo(0.5, 12);
    expect(v1.buckets[0].accuracy).toBeCloseTo(0.75, 12);
    expect(v1.buckets[0].f1).toBeCloseTo(0.8, 12);
    expect(v1.buckets[0].accuracyCi.lower).toBeLessThan(0.75);
    expect(v1.buckets[1].kappa.kappa).toBe(1);
    expect(v2).toMatchObject({ version: 'v2', threshold: 0.8, n: 8, confusion: { tp: 4, fp: 0, fn: 0, tn: 4 }, firstSeen: iso(weekB + 3 * DAY) });
    expect(v2.buckets.map((b: any) => b.kappa.kappa)).toEqual([1, 1]);
  });

  it('keeps a threshold asked for across versions and buckets', async () => {
    const { p } = await judgedTwice();
    const res = await history(p, { threshold: 0.65 });
    expect(res.body.thresholdSource).toBe('query');
    const [v1, v2] = res.body.versions;
    expect([v1.threshold, v2.threshold]).toEqual([0.65, 0.65]);
    // At 0.65 v1 misses the failure scored 0.7 in week A.
    expect(v1.buckets.map((b: any) => b.confusion)).toEqual([
      { tp: 1, fp: 1, fn: 1, tn: 1 },
      { tp: 2, fp: 0, fn: 0, tn: 2 },
    ]);
  });

  it('buckets by day, and by one version when asked', async () => {
    const { p, weekA, weekB } = await judgedTwice();
    const res = await history(p, { bucket: 'day', evaluatorVersion: 'v1' });
    expect(res.body.versions.map((v: any) => v.version)).toEqual(['v1']);
    expect(res.body.versions[0].buckets.map((b: any) => [b.start, b.confusion])).toEqual([
      [iso(weekA + DAY), { tp: 2, fp: 0, fn: 0, tn: 0 }],
      [iso(weekA + 2 * DAY), { tp: 0, fp: 1, fn: 0, tn: 1 }],
      [iso(weekB + DAY), { tp: 2, fp: 0, fn: 0, tn: 2 }],
    ]);
  });

  it('narrows to the explorer filters', async () => {
    const { p, weekB } = await judgedTwice();
    const res = await history(p, { from: weekB });
    expect(res.body.versions.map((v: any) => [v.version, v.n, v.buckets.length])).toEqual([
      ['v1', 4, 1],
      ['v2', 4, 1],
    ]);
  });

  it('has the headline judge each trace by its newest version', async () => {
    const { p } = await judgedTwice();
    const newest = await insight(p.admin, '/calibration', { evaluator: 'judge', field: 'verdict' });
    expect(newest.body).toMatchObject({ n: 8, evaluatorVersion: null, confusion: { tp: 4, fp: 0, fn: 0, tn: 4 } });
    const v1 = await insight(p.admin, '/calibration', { evaluator: 'judge', field: 'verdict', evaluatorVersion: 'v1' });
    expect(v1.body).toMatchObject({ n: 8, evaluatorVersion: 'v1', threshold: 0.8, confusion: { tp: 4, fp: 1, fn: 0, tn: 3 } });
  });

  it('returns 400 for an unknown bucket', async () => {
    const p = await queueProject();
    expect((await history(p, { bucket: 'month' })).status).toBe(400);
  });
});

describe('bucketStart', () => {
  it('starts weeks on Monday (UTC) and days at midnight', () => {
    // 2026-03-01 is a Sunday, 2026-03-02 a Monday; 1970-01-01 was a Thursday.
    expect(iso(bucketStart(Date.UTC(2026, 2, 1, 23, 59), 'week'))).toBe('2026-02-23T00:00:00.000Z');
    expect(iso(bucketStart(Date.UTC(2026, 2, 2, 0, 0), 'week'))).toBe('2026-03-02T00:00:00.000Z');
    expect(iso(bucketStart(Date.UTC(2026, 2, 8, 12), 'week'))).toBe('2026-03-02T00:00:00.000Z');
    expect(iso(bucketStart(0, 'week'))).toBe('1969-12-29T00:00:00.000Z');
    expect(iso(bucketStart(Date.UTC(2026, 2, 4, 17, 30), 'day'))).toBe('2026-03-04T00:00:00.000Z');
  });
});
