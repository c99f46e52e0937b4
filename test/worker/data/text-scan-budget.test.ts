import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { listTraces } from '../../../worker/data/trace-index';
import { compileScanBoundary, type PageOptions } from '../../../worker/data/trace-query';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, shardOf } from '../helpers';

/** 30 traces, newest first at one-second steps; the ones at `hits` carry the needle in their input. */
async function seed(key: string, hits: number[]): Promise<string[]> {
  const base = Date.now() - 60_000;
  const ids = Array.from({ length: 30 }, () => hex(16));
  const spans = ids.map((t, i) => llmSpan(t, undefined, { startMs: base - i * 1000, input: hits.includes(i) ? 'where is the Needle-XYZ part?' : 'hello' }));
  expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);
  return ids;
}

describe('GET /api/v1/traces?text=', () => {
  it('looks at a bounded window of rows per page and continues with a cursor, finding every match once', async () => {
    const p = await makeProject();
    const ids = await seed(p.key, [2, 15, 16, 28]);
    const d1 = await shardOf(p.projectId);
    const pages: { data: string[]; partial: boolean }[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTraces(d1, p.projectId, { text: 'needle-xyz' }, { cursor, limit: 50, sort: 'time', order: 'desc', textScanRows: 10 });
      pages.push({ data: page.data.map((t) => t.traceId), partial: page.partial });
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    // Windows of 10 rows: [0..9] has 2, [10..19] has 15 and 16, [20..29] has 28; then one empty look past the end.
    expect(pages).toEqual([
      { data: [ids[2]], partial: true },
      { data: [ids[15], ids[16]], partial: true },
      { data: [ids[28]], partial: true },
      { data: [], partial: false },
    ]);
  });

  it('a full page inside the window is not partial; a search within the budget answers partial: false over HTTP', async () => {
    const p = await makeProject();
    const ids = await seed(p.key, [0, 1, 2, 3]);
    const d1 = await shardOf(p.projectId);
    const page = await listTraces(d1, p.projectId, { text: 'needle-xyz' }, { limit: 2, sort: 'time', order: 'desc', textScanRows: 10 });
    expect(page).toMatchObject({ partial: false, nextCursor: expect.any(String) });
    expect(page.data.map((t) => t.traceId)).toEqual([ids[0], ids[1]]);

    const res = await call('GET', '/api/v1/traces?text=needle-xyz', { key: p.key });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ partial: false, nextCursor: null });
    expect(res.body.data).toHaveLength(4);
  });

  it('finds the window edge along the sort index alone', async () => {
    for (const sort of ['time', 'duration', 'tokens', 'cost'] as const) {
      const page: PageOptions = { limit: 50, sort, order: 'desc', textScanRows: 5000 };
      const q = compileScanBoundary('p', { text: 'ab', from: 0, to: 10 }, page, 5000)!;
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).bind(...q.args).all<{ detail: string }>();
      const detail = plan.results.map((r) => r.detail).join(' | ');
      expect(detail, sort).toMatch(/USING COVERING INDEX traces_(project_start|duration|tokens|cost)/);
      expect(detail, sort).not.toMatch(/TEMP B-TREE/);
    }
    expect(compileScanBoundary('p', { text: 'ab', sessionId: 's' }, { limit: 50, sort: 'time', order: 'desc' }, 5000)).toBeNull();
    expect(compileScanBoundary('p', { service: 'x' }, { limit: 50, sort: 'time', order: 'desc' }, 5000)).toBeNull();
  });
});
