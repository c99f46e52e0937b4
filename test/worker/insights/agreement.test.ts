import { describe, expect, it } from 'vitest';
import { call, hex, llmSpan, otlpJson, postOtlp, sattr, signIn, type Auth } from '../helpers';
import { makeQueue, queueProject, reviewers, submit, type QueueProject } from '../queues/fixtures';

const agreement = (auth: Auth, params: Record<string, string | string[]>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) search.append(k, x);
  return call('GET', `/api/v1/insights/agreement?${search}`, auth);
};

const submitAll = async (queueId: string, traceId: string, answers: [Auth, Record<string, unknown>][]) => {
  for (const [auth, values] of answers) {
    const res = await submit(queueId, traceId, auth, values);
    expect(res.status, res.text).toBe(200);
  }
};

const byKey = (body: any, key: string) => body.fields.find((f: any) => f.key === key);

describe('GET /api/v1/insights/agreement', () => {
  it("matches the Wikipedia Cohen's kappa example (κ 0.4) for two reviewers, with Fleiss' κ and α worked by hand", async () => {
    // en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example": both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2 }, 50);
    const [a, b] = await reviewers(p.projectId, 2);
    const pairs = [...Array(20).fill(['fail', 'fail']), ...Array(5).fill(['fail', 'pass']), ...Array(10).fill(['pass', 'fail']), ...Array(15).fill(['pass', 'pass'])];
    await Promise.all(traceIds.map((t, i) => Promise.all([submitAll(queueId, t, [[a, { verdict: pairs[i][0] }]]), submitAll(queueId, t, [[b, { verdict: pairs[i][1] }]])])));

    const res = await agreement(p.admin, { queueId, field: 'verdict', limit: '5' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items).toEqual({ reviewed: 50, overlapping: 50 });
    const v = byKey(res.body, 'verdict');
    expect(res.body.fields).toHaveLength(1);
    expect(v).toMatchObject({ n: 50, answers: 100, disagreements: 15, adjudicated: 0, tooFew: false, note: null, options: null });
    expect(v.percentAgreement.estimate).toBeCloseTo(0.7, 12);
    expect(v.percentAgreement.lower).toBeLessThan(0.7);
    expect(v.pairwiseAgreement).toBeCloseTo(0.7, 12);
    expect(v.cohen.kappa).toBeCloseTo(0.4, 12);
    expect(v.cohen.n).toBe(50);
    expect(v.cohen.ci95[0]).toBeLessThan(0.4);
    expect(v.cohen.ci95[1]).toBeGreaterThan(0.4);
    expect([v.cohen.a.reviewerId, v.cohen.b.reviewerId].sort()).toEqual([a.userId, b.userId].sort());
    expect(v.pairs).toEqual([]);
    // Fleiss (Scott's π for two raters): P̄ 0.7, p(fail) 55/100 → P̄ₑ 0.505, κ 0.195/0.495.
    expect(v.fleiss).toMatchObject({ items: 50, raters: 2 });
    expect(v.fleiss.kappa).toBeCloseTo(0.195 / 0.495, 12);
    // α: o(fail,fail) 40, o(fail,pass) = o(pass,fail) 15, o(pass,pass) 30; Dₒ 0.3, Dₑ 2·55·45/(100·99) = 0.5 → α 0.4.
    expect(v.alpha).toEqual([{ level: 'nominal', alpha: expect.closeTo(0.4, 12), units: 50, pairable: 100 }]);
    // Two reviewers: each one's "majority of the others" is the other reviewer.
    expect(v.reviewers.map((r: any) => [r.compared, r.agreed, r.rate.estimate])).toEqual([[50, 35, 0.7], [50, 35, 0.7]]);
    expect(res.body.disagreements.total).toBe(15);
    expect(res.body.disagreements.data).toHaveLength(5);
    expect(res.body.disagreements.nextCursor).toEqual(expect.any(String));
    expect(res.body.disagreements.data[0]).toMatchObject({ fields: ['verdict'], inputPreview: expect.stringContaining('refund'), adjudication: null });
  }, 20_000);

  it("reproduces Krippendorff's published α (nominal 0.743, ordinal 0.815, interval 0.849) with four reviewers and missing reviews", async () => {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers × 12 units, values 1–5, gaps missing.
    const _ = null;
    const coders = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
      [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
    ];
    const p = await queueProject();
    const fields = [
      { key: 'code', title: 'Code', type: 'categorical', options: ['1', '2', '3', '4', '5'].map((value) => ({ value })) },
      { key: 'rating', title: 'Rating', type: 'numeric', min: 1, max: 5, integer: true },
      { key: 'why', title: 'Why', type: 'text' },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Codes', fields });
    const { queueId, traceIds } = await makeQueue(p, { schemaId: schema.body.id, reviewersPerItem: 4 }, 12);
    const people = await reviewers(p.projectId, 4);
    const reviews = coders.flatMap((row, c) => traceIds.flatMap((t, u) => (row[u] === null ? [] : [{ t, auth: people[c], v: row[u] }])));
    expect(reviews).toHaveLength(41);
    await Promise.all(reviews.map(({ t, auth, v }) => submitAll(queueId, t, [[auth, { code: String(v), rating: v, why: 'because' }]])));
    const res = await agreement(p.admin, { queueId });
    expect(res.status, res.text).toBe(200);
    expect(res.body.fields.map((f: any) => f.key)).toEqual(['code', 'rating']);
    expect(res.body.items).toEqual({ reviewed: 12, overlapping: 11 });
    const code = byKey(res.body, 'code');
    const rating = byKey(res.body, 'rating');
    expect(code.alpha).toEqual([{ level: 'nominal', alpha: expect.closeTo(0.743, 3), units: 11, pairable: 40 }]);
    expect(rating.alpha.map((x: any) => [x.level, Number(x.alpha.toFixed(3))])).toEqual([['interval', 0.849], ['ordinal', 0.815]]);
    expect(code).toMatchObject({ n: 11, cohen: null, tooFew: true, disagreements: 3 });
    expect(code.note).toContain('Only 11 items');
    expect(code.percentAgreement.estimate).toBeCloseTo(8 / 11, 12);
    // Fleiss over the 8 units all four coded (2–9): P̄ 6/8, category shares 4, 13, 10, 5 of 32 → κ = 458/714.
    expect(code.fleiss).toMatchObject({ items: 8, raters: 4 });
    expect(code.fleiss.kappa).toBeCloseTo(458 / 714, 12);
    // Pairs sharing ≥ 10 units: coders 2 & 4 (units 1–10, one difference: pₒ 0.9, pₑ 0.23) and 3 & 4.
    const id = (c: number) => people[c].userId;
    const pair = (x: number, y: number) => code.pairs.find((q: any) => [q.a.reviewerId, q.b.reviewerId].sort().join() === [id(x), id(y)].sort().join());
    expect(code.pairs).toHaveLength(2);
    expect(pair(1, 3)).toMatchObject({ n: 10 });
    expect(pair(1, 3).kappa).toBeCloseTo(0.67 / 0.77, 12);
    expect(pair(2, 3)).toMatchObject({ n: 10 });
    // Leave-one-out majority, counted by hand: coder 1 agrees on 8 of 8 (unit 6 ties); coder 3 on 7 of 9.
    const row = (c: number) => code.reviewers.find((r: any) => r.reviewerId === id(c));
    expect(row(0)).toMatchObject({ items: 9, compared: 8, agreed: 8, ties: 1 });
    expect(row(2)).toMatchObject({ items: 10, compared: 9, agreed: 7, ties: 1 });
    expect((await agreement(p.admin, { queueId, field: 'why' })).status).toBe(400);
  }, 20_000);

  it('measures multi-select fields option by option, narrows by explorer filters and lists disagreements with adjudications', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2 }, 4);
    const billing = [hex(16), hex(16)];
    expect((await postOtlp(otlpJson(billing.map((t) => llmSpan(t, undefined, { input: 'Why was I charged twice?' })), [sattr('service.name', 'billing')]), p.key)).status).toBe(200);
    expect((await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: billing })).status).toBe(200);
    const [t1, t2, t3, t4] = traceIds;
    const [t5, t6] = billing;
    const [a, b] = await reviewers(p.projectId, 2);
    const rows: [string, string, string, string[], string[]][] = [
      [t1, 'fail', 'fail', ['irrelevant'], ['irrelevant']],
      [t2, 'fail', 'fail', ['tone_mismatch', 'irrelevant'], ['tone_mismatch']],
      [t3, 'pass', 'fail', [], ['irrelevant']],
      [t4, 'fail', 'fail', ['overly_verbose'], ['overly_verbose']],
      [t5, 'pass', 'pass', [], []],
      [t6, 'fail', 'pass', ['incomplete_reasoning'], []],
    ];
    for (const [t, va, vb, ma, mb] of rows) await submitAll(queueId, t, [[a, { verdict: va, failure_modes: ma }], [b, { verdict: vb, failure_modes: mb }]]);

    const res = await agreement(p.admin, { queueId });
    expect(res.status, res.text).toBe(200);
    const verdict = byKey(res.body, 'verdict');
    // pₒ 4/6; both reviewers 4 fail, 2 pass → pₑ 20/36; κ = (24 − 20)/(36 − 20) = 0.25.
    expect(verdict.cohen.kappa).toBeCloseTo(0.25, 12);
    // o(f,f) 6, o(f,p) = o(p,f) 2, o(p,p) 2 → Dₒ 4/12, Dₑ 2·8·4/(12·11) = 16/33 → α = 1 − 33/48.
    expect(verdict.alpha[0].alpha).toBeCloseTo(15 / 48, 12);
    const modes = byKey(res.body, 'failure_modes');
    expect(modes).toMatchObject({ multiple: true, n: 6, cohen: null, fleiss: null, alpha: [], disagreements: 3 });
    expect(modes.percentAgreement.estimate).toBeCloseTo(3 / 6, 12);
    const option = (v: string) => modes.options.find((o: any) => o.value === v);
    // "irrelevant" chosen (A, B): (T,T) (T,F) (F,T) (F,F) ×3 → κ 0.25, α 0.3125, the same tables as the verdict.
    expect(option('irrelevant').cohen.kappa).toBeCloseTo(0.25, 12);
    expect(option('irrelevant').alpha[0].alpha).toBeCloseTo(15 / 48, 12);
    // "incomplete_reasoning": one (T,F) among five (F,F): pₒ = pₑ = 5/6 → κ 0; Dₒ = Dₑ = 1/6 → α 0.
    expect(option('incomplete_reasoning').cohen.kappa).toBeCloseTo(0, 12);
    expect(option('incomplete_reasoning').alpha[0].alpha).toBeCloseTo(0, 12);
    expect(option('tone_mismatch').alpha[0].alpha).toBe(1);
    // Nobody chose it: no variation, so neither κ nor α is defined.
    expect(option('hallucinated_reference')).toMatchObject({ cohen: { kappa: null }, alpha: [{ alpha: null }] });

    // Newest disagreement first: t6, t3, t2; paged one at a time.
    const page1 = await agreement(p.admin, { queueId, limit: '2' });
    expect(page1.body.disagreements.data.map((d: any) => d.traceId)).toEqual([t6, t3]);
    expect(page1.body.disagreements.total).toBe(3);
    const page2 = await agreement(p.admin, { queueId, limit: '2', cursor: page1.body.disagreements.nextCursor });
    expect(page2.body.disagreements.data.map((d: any) => d.traceId)).toEqual([t2]);
    expect(page2.body.disagreements.nextCursor).toBeNull();
    const d3 = page1.body.disagreements.data[1];
    expect(d3).toMatchObject({ fields: ['verdict', 'failure_modes'], effective: { verdict: { value: null, source: 'tie' }, failure_modes: { value: [], source: 'majority' } } });
    expect(d3.reviews.map((r: any) => [r.reviewerId, r.values.verdict]).sort()).toEqual([[a.userId, 'pass'], [b.userId, 'fail']].sort());

    // The explorer's filters narrow the items: only the billing service.
    const billed = await agreement(p.admin, { queueId, service: 'billing' });
    expect(billed.body).toMatchObject({ filtered: true, items: { reviewed: 2, overlapping: 2 } });
    expect(byKey(billed.body, 'verdict')).toMatchObject({ n: 2, cohen: { kappa: 0 }, disagreements: 1 });
    expect(billed.body.disagreements.data.map((d: any) => d.traceId)).toEqual([t6]);
    expect(billed.body.disagreements.data[0].inputPreview).toContain('charged twice');
    expect((await agreement(p.admin, { queueId, text: 'charged twice' })).body.items.reviewed).toBe(2);
    expect((await agreement(p.admin, { queueId, eval: ['judge:lt:0.5'] })).body.items.reviewed).toBe(0);

    // An admin settles t3; the agreement stays what reviewers did, the final label and the reviewer comparison change.
    const admin = await signIn(p.projectId, 'admin');
    const put = await call('PUT', `/api/v1/queues/${queueId}/items/${t3}/adjudication`, { cookie: admin.cookie }, { values: { verdict: 'fail', failure_modes: null }, notes: ' reads as off-topic ' });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ queueId, traceId: t3, values: { verdict: 'fail' }, notes: 'reads as off-topic', adjudicatedBy: admin.userId, adjudicatedByName: 'Test User', schemaVersion: 1 });
    const after = await agreement(p.admin, { queueId });
    const v2 = byKey(after.body, 'verdict');
    expect(v2.cohen.kappa).toBeCloseTo(0.25, 12);
    expect(v2).toMatchObject({ disagreements: 2, adjudicated: 1 });
    expect(v2.reviewers.find((r: any) => r.reviewerId === a.userId).adjudicated).toEqual({ compared: 1, agreed: 0 });
    expect(v2.reviewers.find((r: any) => r.reviewerId === b.userId).adjudicated).toEqual({ compared: 1, agreed: 1 });
    expect(byKey(after.body, 'failure_modes').adjudicated).toBe(0);
    const settled = after.body.disagreements.data.find((d: any) => d.traceId === t3);
    expect(settled.effective.verdict).toEqual({ value: 'fail', source: 'adjudicated' });
    expect(settled.adjudication).toMatchObject({ values: { verdict: 'fail' }, notes: 'reads as off-topic' });
    expect((await agreement(p.admin, { queueId, adjudicated: 'true' })).body.disagreements.data.map((d: any) => d.traceId)).toEqual([t3]);
    expect((await agreement(p.admin, { queueId, adjudicated: 'false' })).body.disagreements.data.map((d: any) => d.traceId)).toEqual([t6, t2]);

    // The item view shows it; removing it brings the tie back.
    const item = await call('GET', `/api/v1/queues/${queueId}/items/${t3}`, { cookie: admin.cookie });
    expect(item.body.adjudication).toMatchObject({ values: { verdict: 'fail' } });
    expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${t3}/adjudication`, { cookie: admin.cookie })).status).toBe(204);
    expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${t3}/adjudication`, { cookie: admin.cookie })).status).toBe(404);
    const reverted = await agreement(p.admin, { queueId, field: 'verdict' });
    expect(reverted.body.disagreements.data.find((d: any) => d.traceId === t3).effective.verdict).toEqual({ value: null, source: 'tie' });
    expect((await call('GET', `/api/v1/queues/${queueId}/items/${t3}`, { cookie: admin.cookie })).body.adjudication).toBeNull();
  }, 20_000);

  it('treats the same options in another order as agreement, reads booleans back as booleans and skips answers of a changed field', async () => {
    const p = await queueProject();
    const fields = [
      { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true },
      { key: 'modes', title: 'Modes', type: 'categorical', multiple: true, options: [{ value: 'a' }, { value: 'b' }] },
      { key: 'flag', title: 'Flag', type: 'boolean' },
      { key: 'score', title: 'Score', type: 'numeric', min: 1, max: 5, integer: true },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Mixed', fields });
    const { queueId, traceIds } = await makeQueue(p, { schemaId: schema.body.id, reviewersPerItem: 2 }, 3);
    const [t1, t2, t3] = traceIds;
    const [a, b] = await reviewers(p.projectId, 2);
    await submitAll(queueId, t1, [[a, { verdict: 'pass', modes: ['b', 'a'], flag: true, score: 3 }], [b, { verdict: 'pass', modes: ['a', 'b'], flag: true, score: 3 }]]);
    await submitAll(queueId, t2, [[a, { verdict: 'fail', modes: ['a'], flag: false, score: 2 }], [b, { verdict: 'fail', modes: ['a'], flag: true, score: 2 }]]);

    let res = await agreement(p.admin, { queueId });
    expect(res.status, res.text).toBe(200);
    expect(byKey(res.body, 'modes')).toMatchObject({ n: 2, disagreements: 0, percentAgreement: { estimate: 1 } });
    expect(byKey(res.body, 'flag')).toMatchObject({ n: 2, disagreements: 1 });
    expect(res.body.disagreements.data.map((d: any) => [d.traceId, d.fields, d.effective])).toEqual([[t2, ['flag'], { flag: { value: null, source: 'tie' } }]]);
    expect(res.body.disagreements.data[0].reviews.map((r: any) => r.values.flag).sort()).toEqual([false, true]);

    expect((await call('PUT', `/api/v1/queues/${queueId}/items/${t2}/adjudication`, p.admin, { values: { flag: true } })).status).toBe(200);
    res = await agreement(p.admin, { queueId, field: 'flag' });
    expect(res.body.disagreements.data[0].effective.flag).toEqual({ value: true, source: 'adjudicated' });
    const flag = byKey(res.body, 'flag');
    expect(flag.adjudicated).toBe(1);
    expect(flag.reviewers.map((r: any) => [r.reviewerId, r.adjudicated])).toEqual(
      expect.arrayContaining([[a.userId, { compared: 1, agreed: 0 }], [b.userId, { compared: 1, agreed: 1 }]]),
    );

    // `score` becomes a category in v2: the numeric answers of v1 no longer count for the queue's field.
    const v2 = [...fields.slice(0, 3), { key: 'score', title: 'Score', type: 'categorical', options: [{ value: 'low' }, { value: 'high' }] }];
    expect((await call('PATCH', `/api/v1/label-schemas/${schema.body.id}`, p.admin, { fields: v2 })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { schemaVersion: 'latest' })).status).toBe(200);
    await submitAll(queueId, t3, [[a, { verdict: 'pass', score: 'high' }], [b, { verdict: 'pass', score: 'low' }]]);
    res = await agreement(p.admin, { queueId, field: 'score' });
    expect(byKey(res.body, 'score')).toMatchObject({ type: 'categorical', n: 1, answers: 2, skippedAnswers: 4, disagreements: 1 });
    expect(res.body.disagreements.data.map((d: any) => d.traceId)).toEqual([t3]);
    // The verdict spans both versions: same type, so every answer counts.
    expect(byKey((await agreement(p.admin, { queueId, field: 'verdict' })).body, 'verdict')).toMatchObject({ n: 3, skippedAnswers: 0 });
  }, 20_000);

  it('answers 404 for an unknown queue, 400 without one, and notes when nothing overlaps', async () => {
    const p = await queueProject();
    expect((await agreement(p.admin, { queueId: 'nope' })).status).toBe(404);
    expect((await agreement(p.admin, {})).status).toBe(400);
    const { queueId, traceIds } = await makeQueue(p, {}, 2);
    await submitAll(queueId, traceIds[0], [[p.admin, { verdict: 'pass' }]]);
    const res = await agreement(p.admin, { queueId });
    expect(res.body.items).toEqual({ reviewed: 1, overlapping: 0 });
    expect(byKey(res.body, 'verdict')).toMatchObject({ n: 0, percentAgreement: null, cohen: null, fleiss: null, tooFew: true, note: expect.stringContaining('No item has two reviews') });
    // A viewer may read it.
    const viewer = await signIn(p.projectId, 'viewer');
    expect((await agreement({ cookie: viewer.cookie }, { queueId })).status).toBe(200);
  });
});

describe('PUT /api/v1/queues/:queueId/items/:itemId/adjudication', () => {
  async function twoReviews(settings: Record<string, unknown> = {}): Promise<{ p: QueueProject; queueId: string; traceId: string }> {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, { reviewersPerItem: 2, ...settings }, 1);
    const [a, b] = await reviewers(p.projectId, 2);
    await submitAll(queueId, traceIds[0], [[a, { verdict: 'pass' }], [b, { verdict: 'fail' }]]);
    return { p, queueId, traceId: traceIds[0] };
  }
  const adjudicate = (auth: Auth, queueId: string, traceId: string, body: unknown) => call('PUT', `/api/v1/queues/${queueId}/items/${traceId}/adjudication`, auth, body);

  it('is for admins: an admin key records it as the key, reviewers, viewers and read keys get 403', async () => {
    const { p, queueId, traceId } = await twoReviews();
    const res = await adjudicate(p.admin, queueId, traceId, { values: { verdict: 'fail' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.adjudicatedBy).toMatch(/^key:/);
    const reviewer = await signIn(p.projectId, 'reviewer');
    const viewer = await signIn(p.projectId, 'viewer');
    const readKey = await call('POST', `/api/v1/projects/${p.projectId}/api-keys`, p.admin, { name: 'dashboards', scopes: ['read', 'ingest'] });
    expect(readKey.status, readKey.text).toBe(201);
    for (const auth of [{ cookie: reviewer.cookie }, { cookie: viewer.cookie }, { key: readKey.body.key }]) {
      expect((await adjudicate(auth, queueId, traceId, { values: { verdict: 'pass' } })).status).toBe(403);
      expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${traceId}/adjudication`, auth)).status).toBe(403);
    }
    // A replacement keeps when it was first made.
    const again = await adjudicate(p.admin, queueId, traceId, { values: { verdict: 'pass' } });
    expect(again.body).toMatchObject({ values: { verdict: 'pass' }, createdAt: res.body.createdAt });
  });

  it('validates values against the queue schema version, partial but not empty, and only for items of the queue', async () => {
    const { p, queueId, traceId } = await twoReviews();
    const bad = await adjudicate(p.admin, queueId, traceId, { values: { verdict: 'maybe' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'invalid_values', details: [{ path: 'values.verdict' }] });
    expect((await adjudicate(p.admin, queueId, traceId, { values: { failure_modes: ['nope'] } })).status).toBe(422);
    expect((await adjudicate(p.admin, queueId, traceId, { values: { unknown: 1 } })).status).toBe(422);
    expect((await adjudicate(p.admin, queueId, traceId, { values: {} })).status).toBe(422);
    expect((await adjudicate(p.admin, queueId, traceId, { values: { verdict: null } })).status).toBe(422);
    expect((await adjudicate(p.admin, queueId, traceId, { notes: 'no values' })).status).toBe(400);
    expect((await adjudicate(p.admin, queueId, hex(16), { values: { verdict: 'fail' } })).status).toBe(404);
    expect((await adjudicate(p.admin, 'nope', traceId, { values: { verdict: 'fail' } })).status).toBe(404);
    const ok = await adjudicate(p.admin, queueId, traceId, { values: { failure_modes: ['irrelevant'] } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.values).toEqual({ failure_modes: ['irrelevant'] });
  });

  it('is withheld from the item view of a blind queue until the reviewer has submitted', async () => {
    const { p, queueId, traceId } = await twoReviews({ blind: true, reviewersPerItem: 3 });
    expect((await adjudicate(p.admin, queueId, traceId, { values: { verdict: 'fail' } })).status).toBe(200);
    const third = await signIn(p.projectId, 'reviewer');
    expect((await call('GET', `/api/v1/queues/${queueId}/items/${traceId}`, { cookie: third.cookie })).body).toMatchObject({ hidden: true, adjudication: null });
    await submitAll(queueId, traceId, [[{ cookie: third.cookie }, { verdict: 'pass' }]]);
    expect((await call('GET', `/api/v1/queues/${queueId}/items/${traceId}`, { cookie: third.cookie })).body).toMatchObject({ hidden: false, adjudication: { values: { verdict: 'fail' } } });
  });

  it("cannot touch another project's adjudication, which stays as it was", async () => {
    const { p, queueId, traceId } = await twoReviews();
    expect((await adjudicate(p.admin, queueId, traceId, { values: { verdict: 'fail' } })).status).toBe(200);
    const other = await queueProject();
    const otherAdmin = await signIn(other.projectId, 'admin');
    for (const auth of [other.admin, { cookie: otherAdmin.cookie }, { cookie: otherAdmin.cookie, project: p.projectId }]) {
      expect((await adjudicate(auth, queueId, traceId, { values: { verdict: 'pass' } })).status).toBe(404);
      expect((await call('DELETE', `/api/v1/queues/${queueId}/items/${traceId}/adjudication`, auth)).status).toBe(404);
      expect((await agreement(auth, { queueId })).status).toBe(404);
    }
    const mine = await agreement(p.admin, { queueId });
    expect(mine.body.disagreements.data[0].adjudication).toMatchObject({ values: { verdict: 'fail' } });
  });
});
