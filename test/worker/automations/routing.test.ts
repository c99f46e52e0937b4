import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { call, hex, llmSpan, otlpJson, postOtlp, shardOf } from '../helpers';
import { makeQueue, queueProject, type QueueProject } from '../queues/fixtures';

/** Delivers one post-ingest message to the real consumer, as the Queue would, and waits for it. */
async function deliver(body: unknown): Promise<void> {
  const batch = createMessageBatch('sieve-post-ingest', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks).toHaveLength(1);
}

async function ingest(p: QueueProject, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => hex(16));
  expect((await postOtlp(otlpJson(ids.map((t) => llmSpan(t, undefined))), p.key)).status).toBe(200);
  return ids;
}

const lowFaithfulness = { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }] };

async function rule(p: QueueProject, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/automations', p.admin, { name: 'Low faithfulness', condition: lowFaithfulness, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function queueItems(p: QueueProject, queueId: string): Promise<string[]> {
  const res = await call('GET', `/api/v1/queues/${queueId}/items?limit=200`, p.admin);
  expect(res.status, res.text).toBe(200);
  return res.body.data.map((i: any) => i.traceId).sort();
}

async function score(p: QueueProject, traceIds: string[], value: number) {
  const res = await call('POST', '/api/v1/evaluations', p.admin, { items: traceIds.map((traceId) => ({ traceId, name: 'faithfulness', score: value })) });
  expect(res.status, res.text).toBe(200);
}

describe('automations routing', () => {
  it('routes exactly the traces whose late evaluation matches, to the queue and the dataset', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const dataset = await call('POST', '/api/v1/datasets', p.admin, { name: 'Failures' });
    expect(dataset.status, dataset.text).toBe(201);
    const r = await rule(p, { actions: [{ type: 'queue', queueId }, { type: 'dataset', datasetId: dataset.body.id }] });
    const traces = await ingest(p, 6);
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: traces });
    expect(await queueItems(p, queueId)).toEqual([]);

    await score(p, traces.slice(0, 2), 0.2);
    await score(p, traces.slice(2, 4), 0.9);
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: traces });
    expect(await queueItems(p, queueId)).toEqual(traces.slice(0, 2).sort());
    const records = await call('GET', `/api/v1/datasets/${dataset.body.id}/records`, p.admin);
    expect(records.body.data.map((x: any) => x.source.traceId).sort()).toEqual(traces.slice(0, 2).sort());
    expect(records.body.data.map((x: any) => [x.source.ruleId, x.source.ruleVersion])).toEqual([[r.id, 1], [r.id, 1]]);

    const detail = await call('GET', `/api/v1/automations/${r.id}`, p.admin);
    expect(detail.body.last24h).toMatchObject({ matched: 2, sampled: 2, routed: 2, overQuota: 0, errors: 0 });
    expect(traces.slice(0, 2)).toContain(detail.body.lastRoutedTraceId);
  });

  it('routes a (rule, trace) pair at most once under duplicate deliveries, and never re-adds a removed item', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const r = await rule(p, { actions: [{ type: 'queue', queueId }] });
    const traces = await ingest(p, 3);
    await score(p, traces, 0.1);
    const message = { type: 'traces.touched', projectId: p.projectId, traceIds: traces };
    await Promise.all([deliver(message), deliver(message)]);
    await deliver(message);
    expect(await queueItems(p, queueId)).toEqual([...traces].sort());
    const { results } = await (await shardOf(p.projectId)).prepare('SELECT outcome FROM automation_matches WHERE rule_id = ?').bind(r.id).all();
    expect(results).toHaveLength(3);

    expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${traces[0]}`, p.admin)).status).toBe(204);
    await score(p, [traces[0]], 0.05);
    await deliver(message);
    const items = await call('GET', `/api/v1/queues/${queueId}/items?status=removed`, p.admin);
    expect(items.body.data.map((i: any) => i.traceId)).toEqual([traces[0]]);
    expect(await queueItems(p, queueId)).toContain(traces[0]);
    const open = await call('GET', `/api/v1/queues/${queueId}/items?status=open`, p.admin);
    expect(open.body.data.map((i: any) => i.traceId).sort()).toEqual(traces.slice(1).sort());
  });

  it('leaves unsettled traces for the delayed message and does not pull traces back out when they stop matching', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    await rule(p, { actions: [{ type: 'queue', queueId }] });
    const [trace] = await ingest(p, 1);
    await score(p, [trace], 0.3);
    await (await shardOf(p.projectId)).prepare('UPDATE traces SET updated_at = ? WHERE trace_id = ?').bind(Date.now() + 60_000, trace).run();
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: [trace] });
    expect(await queueItems(p, queueId)).toEqual([]);
    await (await shardOf(p.projectId)).prepare('UPDATE traces SET updated_at = ? WHERE trace_id = ?').bind(Date.now() - 1000, trace).run();
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: [trace] });
    expect(await queueItems(p, queueId)).toEqual([trace]);
    await score(p, [trace], 0.99);
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: [trace] });
    expect(await queueItems(p, queueId)).toEqual([trace]);
  });

  it('samples deterministically, counts over-quota traces, and preview agrees with what a backfill routes', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const traces = await ingest(p, 40);
    await score(p, traces, 0.1);
    const id = crypto.randomUUID();
    const sampling = { rate: 0.5 };
    const preview = await call('POST', '/api/v1/automations/preview', p.admin, { id, condition: lowFaithfulness, sampling, hours: 1 });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toMatchObject({ id, scanned: 40, total: 40, matched: 40, partial: false, cursor: null });
    expect(preview.body.sampled).toBeGreaterThan(5);
    expect(preview.body.sampled).toBeLessThan(35);

    const r = await rule(p, { id, sampling, actions: [{ type: 'queue', queueId }] });
    const start = await call('POST', `/api/v1/automations/${r.id}/backfills`, p.admin, { from: Date.now() - 3_600_000, to: Date.now() + 60_000 });
    expect(start.status, start.text).toBe(202);
    await deliver({ type: 'automation.backfill', projectId: p.projectId, ruleId: r.id, jobId: start.body.id });
    const job = await call('GET', `/api/v1/automations/${r.id}/backfills/${start.body.id}`, p.admin);
    expect(job.body).toMatchObject({ status: 'done', scanned: 40, matched: 40, routed: preview.body.sampled });
    expect(await queueItems(p, queueId)).toHaveLength(preview.body.sampled);

    // Live re-checks and a second backfill change nothing: decisions are logged per (rule, trace).
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: traces });
    const again = await call('POST', `/api/v1/automations/${r.id}/backfills`, p.admin, { from: Date.now() - 3_600_000, to: Date.now() + 60_000 });
    await deliver({ type: 'automation.backfill', projectId: p.projectId, ruleId: r.id, jobId: again.body.id });
    expect(await queueItems(p, queueId)).toHaveLength(preview.body.sampled);
    const second = await call('GET', `/api/v1/automations/${r.id}/backfills/${again.body.id}`, p.admin);
    expect(second.body).toMatchObject({ status: 'done', scanned: 40, matched: 0, routed: 0 });
  });

  it('holds traces over the quota back and counts them', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const r = await rule(p, { quota: { max: 2, per: 'hour' }, actions: [{ type: 'queue', queueId }] });
    const traces = await ingest(p, 5);
    await score(p, traces, 0.2);
    await deliver({ type: 'traces.touched', projectId: p.projectId, traceIds: traces });
    expect(await queueItems(p, queueId)).toHaveLength(2);
    const detail = await call('GET', `/api/v1/automations/${r.id}`, p.admin);
    expect(detail.body.last24h).toMatchObject({ matched: 5, sampled: 5, routed: 2, overQuota: 3 });
  });

  it('rejects an action that names a queue of another project (422) and a rule of another project is 404', async () => {
    const a = await queueProject();
    const b = await queueProject();
    const { queueId } = await makeQueue(b);
    const res = await call('POST', '/api/v1/automations', a.admin, { name: 'x', condition: lowFaithfulness, actions: [{ type: 'queue', queueId }] });
    expect(res.status).toBe(422);
    const own = await rule(b, { actions: [{ type: 'queue', queueId }] });
    expect((await call('GET', `/api/v1/automations/${own.id}`, a.admin)).status).toBe(404);
  });

  it('makes a new version when the definition changes, not when it is only switched off', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const r = await rule(p, { actions: [{ type: 'queue', queueId }] });
    const off = await call('PATCH', `/api/v1/automations/${r.id}`, p.admin, { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, version: 1 });
    const edited = await call('PATCH', `/api/v1/automations/${r.id}`, p.admin, { sampling: { rate: 0.2 } });
    expect(edited.body).toMatchObject({ version: 2, sampling: { rate: 0.2 } });
  });
});
