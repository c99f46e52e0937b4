import { describe, expect, it } from 'vitest';
import { addItems } from '../../../worker/queues/service';
import { call, projectEnvOf, shardOf, signIn } from '../helpers';
import { claim, d1Annotations, makeQueue, queueProject, reviewers, seedTraces, submit } from '../queues/fixtures';

describe('POST /api/v1/queues', () => {
  it('creates a queue on the starter schema by default and lists it with its progress', async () => {
    const p = await queueProject();
    const { queueId, queue } = await makeQueue(p, { guidelines: '# Be kind' }, 3);
    expect(queue).toMatchObject({
      name: 'Review', guidelines: '# Be kind', schemaId: `starter-${p.projectId}`, schemaVersion: 1, reviewersPerItem: 1,
      leaseSeconds: 900, accessMode: 'project', reviewers: [], blind: false, status: 'active', archivedAt: null,
    });
    const list = await call('GET', '/api/v1/queues', p.admin);
    expect(list.body.data.map((q: any) => q.id)).toEqual([queueId]);
    const one = await call('GET', `/api/v1/queues/${queueId}`, p.admin);
    expect(one.body.progress).toMatchObject({ total: 3, done: 0, inProgress: 0, remaining: 3, reviewsNeeded: 3 });
  });

  it('refuses bad settings (400), an unknown schema (404) and assigned reviewers who are not reviewers (422)', async () => {
    const p = await queueProject();
    const zero = await call('POST', '/api/v1/queues', p.admin, { name: 'Q', reviewersPerItem: 0 });
    expect([zero.status, zero.body.error.message]).toEqual([400, expect.stringContaining('reviewersPerItem')]);
    expect((await call('POST', '/api/v1/queues', p.admin, { name: 'Q', schemaId: 'nope' })).status).toBe(404);
    const viewer = await signIn(p.projectId, 'viewer');
    const bad = await call('POST', '/api/v1/queues', p.admin, { name: 'Q', accessMode: 'assigned', reviewers: [viewer.userId] });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain(viewer.userId);
  });

  it('lets only admins manage queues and only reviewers review', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 1);
    const viewer = await signIn(p.projectId, 'viewer');
    const reviewer = await signIn(p.projectId, 'reviewer');
    expect((await call('POST', '/api/v1/queues', { cookie: reviewer.cookie }, { name: 'Mine' })).status).toBe(403);
    expect((await call('GET', `/api/v1/queues/${queueId}/items`, { cookie: viewer.cookie })).status).toBe(200);
    expect((await claim(queueId, { cookie: viewer.cookie })).status).toBe(403);
    expect((await claim(queueId, { cookie: reviewer.cookie })).status).toBe(200);
    expect((await call('GET', `/api/v1/queues/${queueId}/export`, { cookie: reviewer.cookie })).status).toBe(403);
  });
});

describe('assigned queues', () => {
  it('are open to their assigned reviewers only', async () => {
    const p = await queueProject();
    const [inside, outside] = await reviewers(p.projectId, 2);
    const { queueId } = await makeQueue(p, { accessMode: 'assigned', reviewers: [inside.userId] }, 1);
    expect((await claim(queueId, inside)).body.item).not.toBeNull();
    const denied = await claim(queueId, outside);
    expect([denied.status, denied.body.error.code]).toEqual([403, 'forbidden']);
  });
});

describe('PATCH /api/v1/queues/:queueId and archive', () => {
  it('changes the overlap live and archives: claims and adds are refused afterwards', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 2);
    const [a, b] = await reviewers(p.projectId, 2);
    await submit(queueId, traceIds[0], a);
    const patched = await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { reviewersPerItem: 2, name: 'Twice' });
    expect(patched.body).toMatchObject({ name: 'Twice', reviewersPerItem: 2 });
    expect((await claim(queueId, b)).body.item.itemId).toBe(traceIds[0]);
    const archived = await call('POST', `/api/v1/queues/${queueId}/archive`, p.admin);
    expect(archived.body).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
    expect((await claim(queueId, a)).status).toBe(409);
    expect((await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [traceIds[1]] })).status).toBe(409);
    expect((await call('GET', '/api/v1/queues', p.admin)).body.data).toEqual([]);
    expect((await call('GET', '/api/v1/queues?status=archived', p.admin)).body.data.map((q: any) => q.id)).toEqual([queueId]);
  });
});

describe('POST /api/v1/queues/:queueId/items', () => {
  it('adds traces once, reports duplicates and unknown traces, and caps a request at 1,000', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const [t1, t2] = await seedTraces(p.key, 2);
    const unknown = 'f'.repeat(32);
    const first = await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [t1, t1.toUpperCase(), unknown] });
    expect(first.body).toEqual({ added: [t1], existing: [], removed: [], notFound: [unknown] });
    const again = await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [t1, t2] });
    expect(again.body).toEqual({ added: [t2], existing: [t1], removed: [], notFound: [] });
    const tooMany = await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: Array.from({ length: 1001 }, () => t1) });
    expect([tooMany.status, tooMany.body.error.message]).toEqual([400, expect.stringContaining('at most 1000')]);
    const items = await call('GET', `/api/v1/queues/${queueId}/items?limit=1`, p.admin);
    expect(items.body.data.map((i: any) => i.itemId)).toEqual([t1]);
    const page2 = await call('GET', `/api/v1/queues/${queueId}/items?limit=1&cursor=${items.body.nextCursor}`, p.admin);
    expect([page2.body.data.map((i: any) => i.itemId), page2.body.nextCursor]).toEqual([[t2], null]);
  });

  it('remembers a removal: adding the trace again (API or automation) does not bring it back', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 2);
    const [gone, kept] = traceIds;
    const [r] = await reviewers(p.projectId, 1);
    expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${gone}`, p.admin)).status).toBe(204);
    const readd = await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [gone] });
    expect(readd.body).toMatchObject({ added: [], removed: [gone] });
    const auto = await addItems(await projectEnvOf(p.projectId), p.projectId, queueId, [gone], { source: { ruleId: 'rule-1', ruleVersion: 3 } });
    expect(auto).toMatchObject({ added: [], removed: [gone] });
    expect((await claim(queueId, r)).body.item.itemId).toBe(kept);
    const removed = await call('GET', `/api/v1/queues/${queueId}/items?status=removed`, p.admin);
    expect(removed.body.data.map((i: any) => [i.itemId, i.status])).toEqual([[gone, 'removed']]);
    const d1 = await (await shardOf(p.projectId)).prepare(`SELECT status FROM queue_items WHERE queue_id = ? AND trace_id = ?`).bind(queueId, gone).first();
    expect(d1).toEqual({ status: 'removed' });
    const restored = await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [gone], restore: true });
    expect(restored.body.added).toEqual([gone]);
  });

  it('records the automation that added an item', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p);
    const [t] = await seedTraces(p.key, 1);
    expect((await addItems(await projectEnvOf(p.projectId), p.projectId, queueId, [t], { source: { ruleId: 'rule-9', ruleVersion: 2 } })).added).toEqual([t]);
    const items = await call('GET', `/api/v1/queues/${queueId}/items`, p.admin);
    expect(items.body.data[0].source).toEqual({ ruleId: 'rule-9', ruleVersion: 2 });
  });
});

describe('POST /api/v1/queues/:queueId/items/:itemId/submit', () => {
  it('answers 422 naming each field that does not match the schema', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const [r] = await reviewers(p.projectId, 1);
    await claim(queueId, r);
    const bad = await submit(queueId, traceIds[0], r, { verdict: 'maybe', failure_modes: ['rude'], mood: 'x' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_values');
    expect(bad.body.error.message).toBe('Invalid values.verdict: "Verdict" takes "pass" or "fail" (schema version 1).');
    expect(bad.body.error.details.map((d: any) => d.path)).toEqual(['values.verdict', 'values.failure_modes.0', 'values']);
    expect(bad.body.error.details[2].message).toBe('unknown field: mood');
    const missing = await submit(queueId, traceIds[0], r, {});
    expect(missing.body.error.message).toContain('"Verdict" is required');
    expect((await submit(queueId, traceIds[0], r, { verdict: 'pass' })).status).toBe(200);
  });

  it('keeps the version each annotation answered when the schema and the queue move on', async () => {
    const p = await queueProject();
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'S', fields: [{ key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true }] });
    const { queueId, traceIds } = await makeQueue(p, { schemaId: schema.body.id, reviewersPerItem: 2 }, 1);
    const [a, b] = await reviewers(p.projectId, 2);
    expect((await submit(queueId, traceIds[0], a, { verdict: 'pass' })).body.schemaVersion).toBe(1);
    const v2 = [{ key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true }, { key: 'tone', title: 'Tone', type: 'text', required: true }];
    expect((await call('PATCH', `/api/v1/label-schemas/${schema.body.id}`, p.admin, { fields: v2 })).body.version).toBe(2);
    // The queue stays pinned to version 1 until it is moved.
    const stillV1 = await call('GET', `/api/v1/queues/${queueId}/items/${traceIds[0]}`, b);
    expect([stillV1.body.queue.schemaVersion, stillV1.body.queue.fields.length]).toEqual([1, 1]);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { schemaVersion: 'latest' })).body.schemaVersion).toBe(2);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { schemaVersion: 1 })).status).toBe(409);
    const old = await submit(queueId, traceIds[0], b, { verdict: 'fail' });
    expect([old.status, old.body.error.message]).toEqual([422, expect.stringContaining('values.tone')]);
    expect((await submit(queueId, traceIds[0], b, { verdict: 'fail', tone: 'curt' })).body.schemaVersion).toBe(2);
    const rows = await d1Annotations(p.projectId, queueId);
    expect(rows.map((r) => [r.reviewer_id, r.schema_version, JSON.parse(r.values)]).sort()).toEqual(
      [[a.userId, 1, { verdict: 'pass' }], [b.userId, 2, { verdict: 'fail', tone: 'curt' }]].sort(),
    );
  });
});

describe('GET /api/v1/queues/:queueId/items/:itemId', () => {
  async function blindSetup(blind: boolean) {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { blind, reviewersPerItem: 2 }, 1);
    const t = traceIds[0];
    expect((await call('POST', '/api/v1/evaluations', p.admin, { items: [{ traceId: t, name: 'faithfulness', score: 0.2 }] })).status).toBe(200);
    const [a, b] = await reviewers(p.projectId, 2);
    await submit(queueId, t, a, { verdict: 'fail' }, 'made up a policy');
    return { p, queueId, t, a, b };
  }

  it('returns the trace in the shape of GET /api/v1/traces/:traceId, with evaluations and others’ labels', async () => {
    const { p, queueId, t, b } = await blindSetup(false);
    const ctx = await call('GET', `/api/v1/queues/${queueId}/items/${t}`, b);
    expect(ctx.status).toBe(200);
    const trace = await call('GET', `/api/v1/traces/${t}`, p.admin);
    expect(ctx.body.trace).toEqual(trace.body);
    expect(ctx.body).toMatchObject({ hidden: false, review: null, item: { itemId: t, reviewsDone: 1, reviewsNeeded: 2 } });
    expect(ctx.body.otherReviews.map((r: any) => [r.values, r.notes])).toEqual([[{ verdict: 'fail' }, 'made up a policy']]);
    expect(ctx.body.trace.evaluations.map((e: any) => e.name)).toEqual(['faithfulness']);
  });

  it('in a blind queue, hides evaluations and others’ labels until the caller has submitted', async () => {
    const { queueId, t, b } = await blindSetup(true);
    const before = await call('GET', `/api/v1/queues/${queueId}/items/${t}`, b);
    expect(before.body).toMatchObject({ hidden: true, otherReviews: null });
    expect([before.body.trace.evaluations, before.body.trace.trace.scores]).toEqual([[], []]);
    expect(before.text).not.toContain('made up a policy');
    expect(before.text).not.toContain('faithfulness');
    await submit(queueId, t, b, { verdict: 'pass' });
    const after = await call('GET', `/api/v1/queues/${queueId}/items/${t}`, b);
    expect(after.body).toMatchObject({ hidden: false, review: { status: 'submitted', values: { verdict: 'pass' } } });
    expect(after.body.otherReviews.map((r: any) => r.notes)).toEqual(['made up a policy']);
    expect(after.body.trace.evaluations.map((e: any) => e.name)).toEqual(['faithfulness']);
  });
});

describe('GET /api/v1/queues/:queueId/export', () => {
  it('streams one row per review as JSONL and as CSV', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2 }, 2);
    const [a, b] = await reviewers(p.projectId, 2);
    await submit(queueId, traceIds[0], a, { verdict: 'fail', failure_modes: ['irrelevant', 'overly_verbose'] }, '=HYPERLINK("x"), "quoted"');
    await submit(queueId, traceIds[0], b, { verdict: 'pass' });
    await submit(queueId, traceIds[1], a, { verdict: 'pass' });
    const jsonl = await call('GET', `/api/v1/queues/${queueId}/export`, p.admin);
    expect(jsonl.headers.get('content-type')).toBe('application/x-ndjson');
    const rows = jsonl.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ queueId, traceId: traceIds[0], reviewerId: a.userId, schemaVersion: 1, values: { verdict: 'fail', failure_modes: ['irrelevant', 'overly_verbose'] } });
    const csv = await call('GET', `/api/v1/queues/${queueId}/export?format=csv`, p.admin);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('annotation_id,queue_id,trace_id,reviewer_id,reviewer_name,schema_id,schema_version,created_at,updated_at,revision,notes,verdict,failure_modes');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""quoted""",fail,irrelevant|overly_verbose`);
  });
});
