import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/index';
import { CounterStore, FLUSH_EVERY_MS, METRICS, MINUTE_MS } from '../../../worker/ops/counters';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, shardOf } from '../helpers';

afterEach(() => vi.restoreAllMocks());

/** A project's counters as stored on `db` (its shard; the control database for ids no project has). */
async function stored(projectId: string, db: D1Database = env.DB): Promise<Record<string, number>> {
  const { results } = await db.prepare('SELECT metric, bucket, value FROM ops_counters WHERE project_id = ? ORDER BY metric, bucket').bind(projectId).all<{ metric: string; bucket: number; value: number }>();
  return Object.fromEntries(results.map((r) => [`${r.metric}@${r.bucket}`, r.value]));
}

const T0 = Date.UTC(2026, 0, 5, 10, 0, 30);
const minute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;

describe('CounterStore', () => {
  it('is due at once with counts pending, then not again until FLUSH_EVERY_MS after the last flush', async () => {
    const store = new CounterStore();
    expect(store.due(T0)).toBe(false);
    store.add(METRICS.ingestRequests, 'p', 1, T0);
    expect(store.due(T0)).toBe(true);
    await store.flush(env, T0);
    store.add(METRICS.ingestRequests, 'p', 1, T0 + 1000);
    expect(store.due(T0 + FLUSH_EVERY_MS - 1)).toBe(false);
    expect(store.due(T0 + FLUSH_EVERY_MS)).toBe(true);
  });

  it('adds up in memory per metric, project and minute, and flushes additively into ops_counters', async () => {
    const store = new CounterStore();
    const p = `p_${crypto.randomUUID()}`;
    store.add(METRICS.spansAccepted, p, 3, T0);
    store.add(METRICS.spansAccepted, p, 4, T0 + 20_000);
    store.add(METRICS.spansAccepted, p, 5, T0 + 40_000);
    store.add(METRICS.ingestBytes, p, 100, T0);
    expect(store.size).toBe(3);
    await store.flush(env, T0 + 40_000);
    expect(store.size).toBe(0);
    store.add(METRICS.spansAccepted, p, 10, T0 + 45_000);
    await store.flush(env, T0 + 60_000);
    expect(await stored(p)).toEqual({
      [`${METRICS.ingestBytes}@${minute(T0)}`]: 100,
      [`${METRICS.spansAccepted}@${minute(T0)}`]: 3 + 4,
      [`${METRICS.spansAccepted}@${minute(T0) + MINUTE_MS}`]: 5 + 10,
    });
  });

  it('does not start a flush while one runs, unless that one is a minute old (its waitUntil was cut off)', async () => {
    const store = new CounterStore();
    const hung = { prepare: env.DB.prepare.bind(env.DB), batch: () => new Promise(() => undefined) } as unknown as D1Database;
    store.add(METRICS.consumed, 'p', 1, T0);
    void store.flush({ DB: hung }, T0);
    store.add(METRICS.consumed, 'p', 1, T0 + 1000);
    expect(store.due(T0 + FLUSH_EVERY_MS)).toBe(false);
    expect(store.due(T0 + 59_999)).toBe(false);
    expect(store.due(T0 + 60_000)).toBe(true);
    await store.flush(env, T0 + 60_000);
    store.add(METRICS.consumed, 'p', 1, T0 + 61_000);
    expect(store.due(T0 + 70_000)).toBe(true);
  });

  it('writes many entries in one flush (more rows than one statement may bind)', async () => {
    const store = new CounterStore();
    const projects = Array.from({ length: 60 }, () => `p_${crypto.randomUUID()}`);
    for (const [i, p] of projects.entries()) store.add(METRICS.ingestRequests, p, i + 1, T0);
    await store.flush(env, T0);
    const totals = await Promise.all(projects.map(async (p) => Object.values(await stored(p))[0]));
    expect(totals).toEqual(projects.map((_, i) => i + 1));
  });

  it("writes each project's counts to its shard and nowhere else", async () => {
    const store = new CounterStore();
    const a = await makeProject(['ingest'], { shard: 'DB_SHARD_0' });
    const b = await makeProject(['ingest'], { shard: 'DB_SHARD_1' });
    store.add(METRICS.ingestRequests, a.projectId, 1, T0);
    store.add(METRICS.ingestRequests, b.projectId, 2, T0);
    await store.flush(env, T0);
    const key = `${METRICS.ingestRequests}@${minute(T0)}`;
    expect([await stored(a.projectId, env.DB_SHARD_0), await stored(b.projectId, env.DB_SHARD_1)]).toEqual([{ [key]: 1 }, { [key]: 2 }]);
    for (const db of [env.DB, env.DB_SHARD_1]) expect(await stored(a.projectId, db)).toEqual({});
    for (const db of [env.DB, env.DB_SHARD_0]) expect(await stored(b.projectId, db)).toEqual({});
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const store = new CounterStore();
    const p = `p_${crypto.randomUUID()}`;
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    store.add(METRICS.retried, p, 2, T0);
    const broken = { prepare: env.DB.prepare.bind(env.DB), batch: async () => { throw new Error('D1 down'); } } as unknown as D1Database;
    await store.flush({ DB: broken }, T0);
    expect(store.size).toBe(1);
    expect(await stored(p)).toEqual({});
    store.add(METRICS.retried, p, 1, T0 + 1000);
    await store.flush(env, T0 + FLUSH_EVERY_MS);
    expect(await stored(p)).toEqual({ [`${METRICS.retried}@${minute(T0)}`]: 3 });
  });
});

/** The project's ops status, polled until `check` passes: a background flush may still be writing. */
async function statusWhen(key: string, check: (body: any) => void, range = 'hour'): Promise<any> {
  let last: any;
  await vi.waitFor(
    async () => {
      const res = await call('GET', `/api/v1/ops/status?range=${range}`, { key });
      expect(res.status, res.text).toBe(200);
      last = res.body;
      check(last);
    },
    { timeout: 3000, interval: 50 },
  );
  return last;
}

describe('ingest counters in GET /api/v1/ops/status', () => {
  it('shows requests, accepted and rejected spans, failures and bytes in the current minute', async () => {
    const { key } = await makeProject(['admin']);
    const traceId = hex(16);
    const first = otlpJson([llmSpan(traceId, undefined), llmSpan(traceId, undefined), llmSpan(traceId, undefined)]);
    const mixed = otlpJson([{ traceId: hex(16), spanId: hex(8) }, { traceId: 'zz', spanId: hex(8) }]);
    const before = Date.now();
    expect((await postOtlp(first, key)).status).toBe(200);
    expect((await postOtlp(mixed, key)).status).toBe(200);
    expect((await postOtlp('{not json', key)).status).toBe(400);
    const after = Date.now();
    const bytes = [first, mixed, '{not json'].reduce((n, s) => n + new TextEncoder().encode(s).byteLength, 0);

    const body = await statusWhen(key, (b) => expect(b.ingest.totals).toEqual({ requests: 3, failed: 1, spansAccepted: 4, spansRejected: 1, bytes }));
    expect([body.range, body.bucketMinutes, body.flushEverySeconds, body.ingest.series.length]).toEqual(['hour', 1, 10, 60]);
    expect(body.ingestMode).toBe('direct');
    // The series is the totals spread over the minutes the requests fell in (one, unless a minute turned meanwhile).
    const busy = body.ingest.series.filter((p: any) => p.requests > 0);
    expect(busy.reduce((n: number, p: any) => n + p.spansAccepted, 0)).toBe(4);
    for (const p of busy) expect(Date.parse(p.bucket)).toBeOneOf([minute(before), minute(after)]);
    expect(Date.parse(body.ingest.series.at(-1).bucket)).toBeGreaterThanOrEqual(minute(after));
    expect(Date.parse(body.ingest.series[1].bucket) - Date.parse(body.ingest.series[0].bucket)).toBe(MINUTE_MS);

    const day = await statusWhen(key, (b) => expect(b.ingest.totals.spansAccepted).toBe(4), 'day');
    expect([day.bucketMinutes, day.ingest.series.length]).toEqual([15, 96]);
    const quarter = day.ingest.series.filter((p: any) => p.requests > 0);
    expect(quarter.reduce((n: number, p: any) => n + p.requests, 0)).toBe(3);
    for (const p of quarter) expect(Date.parse(p.bucket) % (15 * MINUTE_MS)).toBe(0);
  });

  it('counts nothing for another project', async () => {
    const a = await makeProject(['admin']);
    const b = await makeProject(['admin']);
    expect((await postOtlp(otlpJson([llmSpan(hex(16), undefined)]), b.key)).status).toBe(200);
    await statusWhen(b.key, (s) => expect(s.ingest.totals.spansAccepted).toBe(1));
    const body = await statusWhen(a.key, () => undefined);
    expect(body.ingest.totals).toEqual({ requests: 0, failed: 0, spansAccepted: 0, spansRejected: 0, bytes: 0 });
    expect(body.queue).toMatchObject({ enqueued: 0, consumed: 0, backlogEstimate: 0 });
  });
});

describe('queue backlog estimate', () => {
  it('is messages enqueued minus consumed, with retries counted apart', async () => {
    const { key, projectId } = await makeProject(['admin']);
    const sendBatch = vi.spyOn(env.POST_INGEST, 'sendBatch');
    expect((await postOtlp(otlpJson([llmSpan(hex(16), undefined)]), key)).status).toBe(200);
    expect((await postOtlp(otlpJson([llmSpan(hex(16), undefined)]), key)).status).toBe(200);
    const sent = sendBatch.mock.calls.flatMap((c) => c[0] as { body: any }[]).filter((m) => m.body.projectId === projectId);
    expect(sent).toHaveLength(2);
    await statusWhen(key, (b) => expect(b.queue).toMatchObject({ windowHours: 24, enqueued: 2, consumed: 0, retried: 0, deadLettered: 0, backlogEstimate: 2 }));

    const ok = createMessageBatch('sieve-post-ingest', [{ id: 'ok-1', timestamp: new Date(), attempts: 1, body: sent[0].body }]);
    const ctx = createExecutionContext();
    await worker.queue(ok, env);
    expect((await getQueueResult(ok, ctx)).explicitAcks).toEqual(['ok-1']);
    await statusWhen(key, (b) => expect(b.queue).toMatchObject({ enqueued: 2, consumed: 1, backlogEstimate: 1 }));

    // A message whose work fails is retried, not consumed: the backlog stays.
    vi.spyOn(await shardOf(projectId), 'prepare').mockImplementation(() => {
      throw new Error('D1 down');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const failing = createMessageBatch('sieve-post-ingest', [{ id: 'fail-1', timestamp: new Date(), attempts: 3, body: sent[1].body }]);
    const ctx2 = createExecutionContext();
    await worker.queue(failing, env);
    expect((await getQueueResult(failing, ctx2)).retryMessages).toEqual([{ msgId: 'fail-1' }]);
    vi.restoreAllMocks();
    await statusWhen(key, (b) => expect(b.queue).toMatchObject({ enqueued: 2, consumed: 1, retried: 1, backlogEstimate: 1 }));
  });
});
