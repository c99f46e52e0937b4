import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { AnnotationQueue } from '../../../worker/queues/annotation-queue';
import { call, ORIGIN, shardOf, type Auth } from '../helpers';
import { claim, d1Annotations, makeQueue, queueProject, reviewers, stubOf, submit } from './fixtures';

/** Moves the queue object's clock to `ms` after real time. */
const advance = (queueId: string, ms: number) =>
  runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => {
    q.clock.now = () => Date.now() + ms;
  });

describe('AnnotationQueue leases', () => {
  it('frees an expired lease when the alarm runs, so another reviewer gets the item', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { leaseSeconds: 60 }, 1);
    const [a, b] = await reviewers(p.projectId, 2);
    const first = await claim(queueId, a);
    expect(first.body.item.itemId).toBe(traceIds[0]);
    expect((await claim(queueId, b)).body.item).toBeNull();

    await advance(queueId, 61_000);
    expect(await runDurableObjectAlarm(stubOf(queueId))).toBe(true);
    const progress = await call('GET', `/api/v1/queues/${queueId}/progress`, p.admin);
    expect(progress.body).toMatchObject({ total: 1, inProgress: 0, remaining: 1 });
    expect(progress.body.reviewers.find((r: any) => r.reviewerId === a.userId)).toMatchObject({ leased: 0 });

    expect((await claim(queueId, b)).body.item.itemId).toBe(traceIds[0]);
    const late = await submit(queueId, traceIds[0], a);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('no_free_slot');
  });

  it('expires leases lazily on the next command even without the alarm', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { leaseSeconds: 30 }, 1);
    const [a, b] = await reviewers(p.projectId, 2);
    await claim(queueId, a);
    await advance(queueId, 29_000);
    expect((await claim(queueId, b)).body.item).toBeNull();
    await advance(queueId, 31_000);
    expect((await claim(queueId, b)).body.item.itemId).toBe(traceIds[0]);
  });

  it('lets a reviewer whose lease expired still submit while a slot is free', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { leaseSeconds: 30 }, 1);
    const [a] = await reviewers(p.projectId, 1);
    await claim(queueId, a);
    await advance(queueId, 60_000);
    const res = await submit(queueId, traceIds[0], a);
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe('submitted');
  });

  it('renews the lease on claim and on autosave, and keeps the draft across a release', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { leaseSeconds: 60 }, 2);
    const [a] = await reviewers(p.projectId, 1);
    const first = await claim(queueId, a);
    const again = await claim(queueId, a);
    expect(again.body.item.itemId).toBe(first.body.item.itemId);
    const item = first.body.item.itemId;
    const draft = await call('PUT', `/api/v1/queues/${queueId}/items/${item}/draft`, a, { values: { failure_modes: ['irrelevant'] }, notes: 'half done' });
    expect(draft.status, draft.text).toBe(200);
    expect(draft.body).toMatchObject({ status: 'leased', values: { failure_modes: ['irrelevant'] }, notes: 'half done' });
    expect((await call('POST', `/api/v1/queues/${queueId}/items/${item}/release`, a)).body.status).toBe('released');
    const back = await claim(queueId, a);
    expect(back.body.item.itemId).toBe(traceIds[0]);
    expect(back.body.item.review.values).toEqual({ failure_modes: ['irrelevant'] });
  });
});

describe('AnnotationQueue overlap and skips', () => {
  it('gives each item to N different reviewers and never to the same reviewer twice', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2 }, 2);
    const [a, b, c] = await reviewers(p.projectId, 3);
    const [x1, x2] = traceIds;
    expect((await claim(queueId, a)).body.item).toMatchObject({ itemId: x1, slot: 0 });
    expect((await submit(queueId, x1, a)).status).toBe(200);
    expect((await claim(queueId, a)).body.item.itemId).toBe(x2);
    expect((await claim(queueId, b)).body.item).toMatchObject({ itemId: x1, slot: 1 });
    expect((await claim(queueId, c)).body.item).toMatchObject({ itemId: x2, slot: 1 });
    const twice = await submit(queueId, x1, a);
    expect([twice.status, twice.body.error.code]).toEqual([409, 'already_submitted']);
    expect((await submit(queueId, x1, b)).status).toBe(200);
    expect((await submit(queueId, x2, a)).status).toBe(200);
    expect((await submit(queueId, x2, c)).status).toBe(200);
    for (const r of [a, b, c]) expect((await claim(queueId, r)).body.item).toBeNull();
    const items = await call('GET', `/api/v1/queues/${queueId}/items`, p.admin);
    expect(items.body.data.map((i: any) => [i.status, i.reviewsDone])).toEqual([['done', 2], ['done', 2]]);
    expect((await d1Annotations(p.projectId, queueId)).map((r) => [r.trace_id, r.reviewer_id]).sort()).toEqual(
      [[x1, a.userId], [x1, b.userId], [x2, a.userId], [x2, c.userId]].sort(),
    );
  });

  it('never offers a skipped item to that reviewer again, and frees its slot for others', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [a, b] = await reviewers(p.projectId, 2);
    await claim(queueId, a);
    const noReason = await call('POST', `/api/v1/queues/${queueId}/items/${traceIds[0]}/skip`, a, {});
    expect(noReason.status).toBe(400);
    const skip = await call('POST', `/api/v1/queues/${queueId}/items/${traceIds[0]}/skip`, a, { reason: 'not my language' });
    expect(skip.body).toMatchObject({ status: 'skipped', skipReason: 'not my language' });
    expect((await claim(queueId, a)).body.item).toBeNull();
    expect((await claim(queueId, b)).body.item.itemId).toBe(traceIds[0]);
    const progress = await call('GET', `/api/v1/queues/${queueId}/progress`, p.admin);
    expect(progress.body.reviewers.find((r: any) => r.reviewerId === a.userId)).toMatchObject({ skipped: 1, submitted: 0 });
  });
});

describe('AnnotationQueue outbox', () => {
  it('keeps a submission through a D1 failure and writes it when the alarm retries', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [a] = await reviewers(p.projectId, 1);
    await runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => {
      q.outbox.failNext = 1;
    });
    await claim(queueId, a);
    const res = await submit(queueId, traceIds[0], a, { verdict: 'fail', failure_modes: ['tone_mismatch'] }, 'too curt');
    expect(res.status, res.text).toBe(200);
    expect(await d1Annotations(p.projectId, queueId)).toHaveLength(0);
    // Waiting: the annotation and the item's new state.
    expect(await runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => q.outbox.pending())).toBe(2);

    await advance(queueId, 5_000);
    expect(await runDurableObjectAlarm(stubOf(queueId))).toBe(true);
    const rows = await d1Annotations(p.projectId, queueId);
    expect(rows.map((r) => [r.trace_id, r.reviewer_id, JSON.parse(r.values), r.notes, r.schema_version])).toEqual([
      [traceIds[0], a.userId, { verdict: 'fail', failure_modes: ['tone_mismatch'] }, 'too curt', 1],
    ]);
    expect(await runInDurableObject(stubOf(queueId), (q: AnnotationQueue) => q.outbox.pending())).toBe(0);
    const item = await (await shardOf(p.projectId)).prepare(`SELECT * FROM queue_items WHERE queue_id = ? AND trace_id = ?`).bind(queueId, traceIds[0]).first();
    expect(item).toMatchObject({ status: 'done', reviews_done: 1 });
  });

  it('converges on the latest edit even when an older copy is written again', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [a] = await reviewers(p.projectId, 1);
    await submit(queueId, traceIds[0], a, { verdict: 'pass' });
    const edit = await call('PUT', `/api/v1/queues/${queueId}/items/${traceIds[0]}/submission`, a, { values: { verdict: 'fail' } });
    expect(edit.body).toMatchObject({ status: 'submitted', revision: 2, values: { verdict: 'fail' } });
    const [row] = await d1Annotations(p.projectId, queueId);
    expect([JSON.parse(row.values), row.revision]).toEqual([{ verdict: 'fail' }, 2]);
  });
});

/** Opens the live socket as `auth` and collects its messages. */
async function connect(queueId: string, auth: Auth): Promise<{ ws: WebSocket; messages: any[]; next: (pred: (m: any) => boolean) => Promise<any> }> {
  const res = await SELF.fetch(`${ORIGIN}/api/v1/queues/${queueId}/live`, { headers: { upgrade: 'websocket', cookie: auth.cookie ?? '', origin: ORIGIN } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const messages: any[] = [];
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(e.data as string));
  });
  const next = async (pred: (m: any) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const hit = messages.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no such message; got ${JSON.stringify(messages.map((m) => m.type))}`);
  };
  return { ws, messages, next };
}

describe('GET /api/v1/queues/:queueId/live', () => {
  it('pushes item changes, progress and presence on claim and submit', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 1 }, 2);
    const [watcher, worker] = await reviewers(p.projectId, 2);
    const live = await connect(queueId, watcher);
    const hello = await live.next((m) => m.type === 'hello');
    expect(hello).toMatchObject({ queueId, reviewerId: watcher.userId, progress: { total: 2, done: 0, remaining: 2 } });
    expect(hello.presence.map((e: any) => [e.reviewerId, e.connections])).toEqual([[watcher.userId, 1]]);

    await claim(queueId, worker);
    expect(await live.next((m) => m.type === 'item' && m.event === 'claimed')).toMatchObject({ itemId: traceIds[0], status: 'in_progress', leased: 1, reviewerId: worker.userId });
    const presence = await live.next((m) => m.type === 'presence' && m.presence.some((e: any) => e.reviewerId === worker.userId));
    expect(presence.presence.find((e: any) => e.reviewerId === worker.userId)).toMatchObject({ connections: 0, itemIds: [traceIds[0]] });

    await submit(queueId, traceIds[0], worker);
    expect(await live.next((m) => m.type === 'item' && m.event === 'submitted')).toMatchObject({ itemId: traceIds[0], status: 'done', reviewsDone: 1 });
    expect(await live.next((m) => m.type === 'progress' && m.progress.done === 1)).toMatchObject({ progress: { total: 2, done: 1, remaining: 1 } });
    live.ws.close();
  });

  it('takes commands over the socket and answers each by its requestId', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [r] = await reviewers(p.projectId, 1);
    const live = await connect(queueId, r);
    await live.next((m) => m.type === 'hello');
    live.ws.send(JSON.stringify({ type: 'claim', requestId: 'c1' }));
    expect((await live.next((m) => m.requestId === 'c1')).data.item.itemId).toBe(traceIds[0]);
    live.ws.send(JSON.stringify({ type: 'submit', requestId: 's1', itemId: traceIds[0], values: { verdict: 'nope' } }));
    const bad = await live.next((m) => m.requestId === 's1');
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_values' } });
    expect(bad.error.message).toContain('values.verdict');
    live.ws.send(JSON.stringify({ type: 'submit', requestId: 's2', itemId: traceIds[0], values: { verdict: 'pass' } }));
    expect(await live.next((m) => m.requestId === 's2')).toMatchObject({ ok: true, data: { status: 'submitted' } });
    live.ws.send('{"type":"ping"}');
    await live.next((m) => m.type === 'pong');
    live.ws.send(JSON.stringify({ type: 'progress' }));
    expect(await live.next((m) => m.type === 'error')).toMatchObject({ code: 'bad_message' });
    live.ws.close();
  });

  it('keeps pushing to connected reviewers after the object is evicted (hibernation)', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [watcher, worker] = await reviewers(p.projectId, 2);
    const live = await connect(queueId, watcher);
    await live.next((m) => m.type === 'hello');
    await evictDurableObject(stubOf(queueId));
    await claim(queueId, worker);
    expect(await live.next((m) => m.type === 'item' && m.event === 'claimed')).toMatchObject({ itemId: traceIds[0] });
    live.ws.close();
  });

  it('refuses plain requests (426) and other origins (403)', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const [r] = await reviewers(p.projectId, 1);
    expect((await call('GET', `/api/v1/queues/${queueId}/live`, r)).status).toBe(426);
    const res = await SELF.fetch(`${ORIGIN}/api/v1/queues/${queueId}/live`, { headers: { upgrade: 'websocket', cookie: r.cookie!, origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
  });
});
