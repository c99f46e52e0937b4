import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/index';
import { recordDecisions } from '../../../worker/data/automations';
import { getDb } from '../../../worker/db/client';
import { call, hex, makeProject, shardOf, signIn } from '../helpers';
import { makeQueue } from '../queues/fixtures';

afterEach(() => vi.restoreAllMocks());

const DLQ = 'sieve-post-ingest-dlq';

/** Delivers messages to the dead-letter queue's consumer, as the Queue would, and returns what it acked. */
async function deadLetter(messages: { id: string; body: unknown; attempts?: number }[]) {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const batch = createMessageBatch(DLQ, messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

/** A dead letter as stored on its project's shard (the control database for a message naming no project). */
async function row(id: string, projectId: string | null) {
  return (projectId ? await shardOf(projectId) : env.DB).prepare('SELECT * FROM dead_letters WHERE id = ?').bind(id).first<Record<string, any>>();
}

const touched = (projectId: string, traceIds = [hex(16)]) => ({ type: 'traces.touched', projectId, traceIds });

describe('the dead-letter queue consumer', () => {
  it('stores each message with the project its body names, then acks it', async () => {
    const { projectId } = await makeProject();
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    const result = await deadLetter([{ id: a, body: touched(projectId), attempts: 2 }, { id: b, body: 'not an object' }]);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
    expect(await row(a, projectId)).toMatchObject({ queue: DLQ, project_id: projectId, attempts: 2 });
    expect(JSON.parse((await row(a, projectId))!.body)).toEqual(touched(projectId, JSON.parse((await row(a, projectId))!.body).traceIds));
    expect(await row(b, null)).toMatchObject({ project_id: null, body: '"not an object"' });
  });

  it('stores a redelivered message once', async () => {
    const { projectId } = await makeProject();
    const id = crypto.randomUUID();
    await deadLetter([{ id, body: touched(projectId) }]);
    await deadLetter([{ id, body: touched(projectId) }]);
    const { n } = (await (await shardOf(projectId)).prepare('SELECT count(*) AS n FROM dead_letters WHERE project_id = ?').bind(projectId).first<{ n: number }>())!;
    expect(n).toBe(1);
  });

  it('retries the whole batch when D1 cannot store it, acking nothing', async () => {
    const { projectId } = await makeProject();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    vi.spyOn(await shardOf(projectId), 'batch').mockRejectedValue(new Error('D1 down'));
    const id = crypto.randomUUID();
    const result = await deadLetter([{ id, body: touched(projectId) }]);
    expect([result.ackAll, result.retryBatch.retry, result.explicitAcks]).toEqual([false, true, []]);
    vi.restoreAllMocks();
    expect(await row(id, projectId)).toBeNull();
  });
});

describe('GET /api/v1/ops/status: dead letters', () => {
  it("counts the project's dead letters and lists the latest 20, newest first, with a body preview", async () => {
    const { projectId, key } = await makeProject(['admin']);
    const other = await makeProject();
    const ids = Array.from({ length: 22 }, () => crypto.randomUUID());
    for (const [i, id] of ids.entries()) {
      vi.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000 + i * 1000);
      await deadLetter([{ id, body: touched(projectId, Array.from({ length: i === 21 ? 40 : 1 }, () => hex(16))) }]);
    }
    vi.restoreAllMocks();
    await deadLetter([{ id: crypto.randomUUID(), body: touched(other.projectId) }]);

    const res = await call('GET', '/api/v1/ops/status', { key });
    expect(res.status, res.text).toBe(200);
    const { deadLetters, queue } = res.body;
    expect(deadLetters.count).toBe(22);
    expect(deadLetters.latest.map((d: any) => d.id)).toEqual(ids.slice(2).reverse());
    const newest = deadLetters.latest[0];
    expect(newest).toMatchObject({ queue: DLQ, type: 'traces.touched', attempts: 1, receivedAt: new Date(1_800_000_021_000).toISOString(), truncated: true });
    expect(newest.preview).toHaveLength(300);
    expect(newest.preview.startsWith(`{"type":"traces.touched","projectId":"${projectId}"`)).toBe(true);
    expect(deadLetters.latest[1].truncated).toBe(false);
    expect(queue.deadLettered).toBe(22);
  });
});

describe('POST /api/v1/ops/dead-letters/:deadLetterId/replay', () => {
  it('sends the message back to the post-ingest queue and deletes the dead letter', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const id = crypto.randomUUID();
    const body = touched(projectId);
    await deadLetter([{ id, body }]);
    const sendBatch = vi.spyOn(env.POST_INGEST, 'sendBatch');
    const res = await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, { key });
    expect([res.status, res.body]).toEqual([200, { replayed: id, type: 'traces.touched' }]);
    expect(sendBatch).toHaveBeenCalledTimes(1);
    expect(sendBatch.mock.calls[0][0]).toEqual([{ body, delaySeconds: 0 }]);
    expect(await row(id, projectId)).toBeNull();
    const again = await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, { key });
    expect([again.status, again.body.error.code]).toEqual([404, 'not_found']);
    const status = await call('GET', '/api/v1/ops/status', { key });
    expect(status.body.deadLetters.count).toBe(0);
    expect(status.body.queue).toMatchObject({ enqueued: 1, deadLettered: 1 });
  });

  it('keeps the dead letter when the queue refuses the message (503)', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const id = crypto.randomUUID();
    await deadLetter([{ id, body: touched(projectId) }]);
    vi.spyOn(env.POST_INGEST, 'sendBatch').mockRejectedValue(new Error('queue down'));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, { key });
    expect([res.status, res.body.error.code]).toEqual([503, 'unavailable']);
    expect(await row(id, projectId)).toMatchObject({ project_id: projectId });
  });

  it('refuses (422) a message the post-ingest queue would not understand, and keeps it', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const id = crypto.randomUUID();
    await deadLetter([{ id, body: { type: 'something.else', projectId } }]);
    const res = await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, { key });
    expect([res.status, res.body.error.code]).toEqual([422, 'unprocessable']);
    expect(await row(id, projectId)).not.toBeNull();
  });

  it("is 404 for another project's dead letter, which stays", async () => {
    const a = await makeProject(['admin']);
    const b = await makeProject(['admin']);
    const id = crypto.randomUUID();
    await deadLetter([{ id, body: touched(b.projectId) }]);
    const res = await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, { key: a.key });
    expect(res.status).toBe(404);
    expect(await row(id, b.projectId)).not.toBeNull();
  });
});

describe('admins only', () => {
  it('refuses reviewers, viewers and keys without the admin scope (403), and answers a signed-in admin', async () => {
    const { projectId, key } = await makeProject(['ingest', 'read']);
    const id = crypto.randomUUID();
    await deadLetter([{ id, body: touched(projectId) }]);
    const reviewer = await signIn(projectId, 'reviewer');
    const viewer = await signIn(projectId, 'viewer');
    for (const auth of [{ key }, { cookie: reviewer.cookie }, { cookie: viewer.cookie }]) {
      expect((await call('GET', '/api/v1/ops/status', auth)).status).toBe(403);
      expect((await call('POST', `/api/v1/ops/dead-letters/${id}/replay`, auth)).status).toBe(403);
    }
    expect(await row(id, projectId)).not.toBeNull();
    const admin = await signIn(projectId, 'admin');
    const res = await call('GET', '/api/v1/ops/status', { cookie: admin.cookie });
    expect([res.status, res.body.deadLetters.count]).toEqual([200, 1]);
    expect((await call('GET', '/api/v1/ops/status', {})).status).toBe(401);
  });
});

describe('GET /api/v1/ops/status: automation errors', () => {
  it('lists rules with errors in the last 7 days from automation_stats, per rule, most errors first', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const { queueId } = await makeQueue({ projectId, key, admin: { key } });
    const rule = async (name: string) => {
      const actions = [{ type: 'queue', queueId }];
      const res = await call('POST', '/api/v1/automations', { key }, { name, condition: { all: [{ hasError: true }] }, actions });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    const [quiet, flaky, broken] = [await rule('Quiet'), await rule('Flaky'), await rule('Broken')];
    const now = Date.now();
    const shard = await shardOf(projectId);
    const errors = (ruleId: string, n: number, at: number) =>
      recordDecisions(getDb(shard), projectId, [], new Map([[ruleId, { checked: 5, matched: 0, sampled: 0, routed: 0, overQuota: 0, errors: n }]]), 'live', at);
    await errors(quiet, 0, now);
    await errors(flaky, 1, now);
    await errors(broken, 2, now - 2 * 86_400_000);
    await errors(broken, 3, now - 3_600_000);
    await errors(broken, 50, now - 8 * 86_400_000);

    const res = await call('GET', '/api/v1/ops/status', { key });
    expect(res.status, res.text).toBe(200);
    const hour = (t: number) => new Date(Math.floor(t / 3_600_000) * 3_600_000).toISOString();
    expect(res.body.automationErrors).toEqual([
      { ruleId: broken, name: 'Broken', enabled: true, deleted: false, errors24h: 3, errors7d: 5, lastErrorHour: hour(now - 3_600_000) },
      { ruleId: flaky, name: 'Flaky', enabled: true, deleted: false, errors24h: 1, errors7d: 1, lastErrorHour: hour(now) },
    ]);
  });
});
