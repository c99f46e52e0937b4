import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/index';
import { call, getJson, hex, llmSpan, makeProject, otlpJson, postOtlp } from '../helpers';

const post = (key: string, items: unknown) => call('POST', '/api/v1/feedback', { key }, { items });
const trace = (key: string, traceId: string) => getJson(`/api/v1/traces/${traceId}`, { key });
const list = (key: string, query: string) => getJson(`/api/v1/traces?${query}`, { key });
const ingest = async (key: string, traceId: string) => expect((await postOtlp(otlpJson([llmSpan(traceId, undefined)]), key)).status).toBe(200);

const NO_FEEDBACK = { count: 0, thumbsUp: 0, thumbsDown: 0, positive: 0, neutral: 0, negative: 0, minRating: null, maxRating: null };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /api/v1/feedback', () => {
  it('stores thumbs and ratings and shows them on the trace and in its list row', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    await ingest(key, traceId);
    const res = await post(key, [
      { traceId, kind: 'thumbs', value: 'down', comment: 'wrong refund window', sentiment: 'negative', endUserId: 'user-7', timestamp: '2026-02-03T04:05:06.000Z' },
      { traceId, kind: 'rating', value: 4, scale: 5, sentiment: 'positive' },
      { traceId, kind: 'rating', value: 0.25 },
      { traceId, kind: 'thumbs', value: 'up' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 4, rejected: 0 });

    const { body } = await trace(key, traceId);
    expect(body.feedback[0]).toEqual({
      id: res.body.results[0].id, traceId, kind: 'thumbs', value: 'down', scale: null, comment: 'wrong refund window',
      sentiment: 'negative', endUserId: 'user-7', timestamp: '2026-02-03T04:05:06.000Z',
    });
    expect(body.feedback.slice(1).map((f: any) => [f.kind, f.value, f.scale, f.sentiment])).toEqual(expect.arrayContaining([
      ['rating', 4, 5, 'positive'],
      ['rating', 0.25, null, null],
      ['thumbs', 'up', null, null],
    ]));
    const summary = { count: 4, thumbsUp: 1, thumbsDown: 1, positive: 1, neutral: 0, negative: 1, minRating: 0.25, maxRating: 0.8 };
    expect(body.trace.feedback).toEqual(summary);
    expect((await list(key, '')).body.data[0].feedback).toEqual(summary);
  });

  it('updates, never duplicates, feedback re-sent with the same client id', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    await ingest(key, traceId);
    const first = await post(key, [{ id: 'click-1', traceId, kind: 'thumbs', value: 'up' }]);
    const again = await post(key, [{ id: 'click-1', traceId, kind: 'thumbs', value: 'down', comment: 'changed my mind' }]);
    expect(again.body.results[0].id).toBe(first.body.results[0].id);
    const { body } = await trace(key, traceId);
    expect(body.feedback.map((f: any) => [f.id, f.value, f.comment])).toEqual([[first.body.results[0].id, 'down', 'changed my mind']]);
    expect(body.trace.feedback).toMatchObject({ count: 1, thumbsUp: 0, thumbsDown: 1 });
  });

  it('keeps each piece of feedback sent without a client id', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    await ingest(key, traceId);
    await post(key, [{ traceId, kind: 'thumbs', value: 'up' }]);
    await post(key, [{ traceId, kind: 'thumbs', value: 'up' }]);
    expect((await trace(key, traceId)).body.trace.feedback).toMatchObject({ count: 2, thumbsUp: 2 });
  });

  it('answers per item: rejected ones with their index and why, valid ones stored', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const res = await post(key, [
      { traceId, kind: 'thumbs', value: 3 },
      { traceId, kind: 'thumbs', value: 'up' },
      { traceId, kind: 'rating', value: 6, scale: 5 },
      { traceId, kind: 'rating', value: 'up' },
      { traceId, kind: 'stars', value: 1 },
      { traceId, kind: 'thumbs', value: 'down', sentiment: 'angry' },
      { kind: 'thumbs', value: 'down' },
      { traceId, kind: 'rating', value: 5, scale: 5 },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 2, rejected: 6 });
    expect(res.body.results.map((r: any) => r.status)).toEqual(['rejected', 'stored', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'stored']);
    const errors = res.body.results.map((r: any) => r.error?.message ?? null);
    expect(errors[0]).toMatch(/^value: thumbs feedback takes "up" or "down"/);
    expect(errors[2]).toMatch(/^value: a rating must be between 0 and its scale \(5\)/);
    expect(errors[3]).toMatch(/^value: /);
    expect(errors[4]).toMatch(/^kind: /);
    expect(errors[5]).toMatch(/^sentiment: /);
    expect(errors[6]).toMatch(/^traceId: /);
    await ingest(key, traceId);
    expect((await trace(key, traceId)).body.trace.feedback).toMatchObject({ count: 2, thumbsUp: 1, minRating: 1, maxRating: 1 });
  });

  it('answers an empty batch and one of 1001 items with 400', async () => {
    const { key } = await makeProject();
    expect((await post(key, [])).status).toBe(400);
    const big = await post(key, Array.from({ length: 1001 }, () => ({ traceId: hex(16), kind: 'thumbs', value: 'up' })));
    expect([big.status, big.body.error.code]).toEqual([400, 'invalid_request']);
    expect((await call('POST', '/api/v1/feedback', { key }, 'not json at all')).status).toBe(400);
  });

  it('stores a full batch of 1000 items with long comments', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const res = await post(key, Array.from({ length: 1000 }, (_, i) => ({ id: `f-${i}`, traceId, kind: 'rating', value: i % 6, scale: 5, comment: 'c'.repeat(10_000) })));
    expect(res.status, res.text).toBe(200);
    expect(new Set(res.body.results.map((r: any) => r.id)).size).toBe(1000);
    await ingest(key, traceId);
    expect((await trace(key, traceId)).body.trace.feedback).toMatchObject({ count: 1000, minRating: 0, maxRating: 1 });
  });

  it('answers 401 without a key and 403 for a key without the ingest scope', async () => {
    const items = [{ traceId: hex(16), kind: 'thumbs', value: 'up' }];
    expect((await call('POST', '/api/v1/feedback', {}, { items })).status).toBe(401);
    const { key } = await makeProject(['read']);
    expect((await post(key, items)).status).toBe(403);
  });

  it('re-enqueues the touched traces for post-ingest work, and the consumer acks it', async () => {
    const { key, projectId } = await makeProject();
    const traceId = hex(16);
    const sendBatch = vi.spyOn(env.POST_INGEST, 'sendBatch');
    await post(key, [{ traceId, kind: 'thumbs', value: 'up' }, { traceId, kind: 'rating', value: 1 }]);
    expect(sendBatch).toHaveBeenCalledTimes(1);
    const sent = sendBatch.mock.calls[0][0] as { body: unknown }[];
    expect(sent).toEqual([{ body: { type: 'traces.touched', projectId, traceIds: [traceId] }, delaySeconds: 0 }]);

    const batch = createMessageBatch('sieve-post-ingest', [{ id: 'm-1', timestamp: new Date(), attempts: 1, body: sent[0].body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['m-1']);
  });
});

describe('feedback that arrives before its trace', () => {
  it('is kept, then counted on the trace and filterable once it arrives', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    await post(key, [{ traceId, kind: 'thumbs', value: 'down', sentiment: 'negative' }, { traceId, kind: 'rating', value: 2, scale: 10 }]);
    expect((await trace(key, traceId)).status).toBe(404);

    const other = hex(16);
    await ingest(key, other);
    expect((await list(key, 'feedback=down')).body.data).toEqual([]);
    expect((await list(key, '')).body.data[0].feedback).toEqual(NO_FEEDBACK);

    await ingest(key, traceId);
    const { body } = await trace(key, traceId);
    expect(body.feedback.map((f: any) => f.value)).toEqual(['down', 2]);
    expect(body.trace.feedback).toEqual({ ...NO_FEEDBACK, count: 2, thumbsDown: 1, negative: 1, minRating: 0.2, maxRating: 0.2 });
    for (const q of ['feedback=down', 'feedback=negative', 'maxRating=0.3']) {
      expect((await list(key, q)).body.data.map((t: any) => t.traceId), q).toEqual([traceId]);
    }
  });
});
