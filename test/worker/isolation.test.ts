import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../worker/index';
import { call, hex, llmSpan, login, makeProject, makeUser, otlpJson, postOtlp, SHARDS, shardOf, type Auth } from './helpers';

/**
 * Project isolation, route by route. Every route of the real app must appear either in FIXTURES
 * (how to aim it at project B's resources) or in PUBLIC: a new route without an entry fails here.
 * Callers from project A — an admin key, a signed-in admin, and that admin naming B in
 * `x-sieve-project` — must get 404 (never 403, never data) for anything of B's, and leave B unchanged.
 */

type Caller = 'key' | 'session' | 'sessionNamingB';

interface Fixture {
  /** A value, or a function called once B exists (for bodies that name B's resources). */
  body?: unknown;
  /**
   * Status per caller when not 404: only routes that take no project from the path, which then act
   * on the caller's own project or person (and must still show nothing of B).
   */
  status?: Partial<Record<Caller, number>>;
  /** A query string for routes that take their target from it, called once B exists. */
  query?: () => string;
}

const PUBLIC: Record<string, string> = {
  'GET /healthz': 'liveness',
  'GET /api/v1/ping': 'liveness',
  'POST /api/v1/auth/login': 'sign-in',
  'GET /api/v1/auth/invites/:token': 'the invite token is the credential',
  'POST /api/v1/auth/invites/accept': 'the invite token is the credential',
  'POST /api/v1/auth/password-reset': 'the reset token is the credential',
  'POST /v1/traces': 'OTLP ingest: covered below (a key writes into its own project only)',
};

const SELF_ROUTE = { key: 403, session: 200, sessionNamingB: 200 };

const FIXTURES: Record<string, Fixture> = {
  'POST /api/v1/auth/logout': { status: { key: 204, session: 204, sessionNamingB: 204 } },
  'POST /api/v1/auth/logout-all': { status: { key: 204, session: 204, sessionNamingB: 204 } },
  'POST /api/v1/auth/password': { body: { currentPassword: 'wrong', newPassword: 'short' }, status: { key: 403, session: 400, sessionNamingB: 400 } },
  'GET /api/v1/me': { status: SELF_ROUTE },
  'GET /api/v1/projects': { status: SELF_ROUTE },
  'POST /api/v1/projects': { body: { name: 'A2' }, status: { key: 403, session: 201, sessionNamingB: 201 } },
  'GET /api/v1/projects/:projectId': {},
  'PATCH /api/v1/projects/:projectId': { body: { name: 'Taken over' } },
  'GET /api/v1/projects/:projectId/members': {},
  'POST /api/v1/projects/:projectId/members': { body: { email: 'intruder@example.test', role: 'admin' } },
  'POST /api/v1/projects/:projectId/members/:userId/password-reset': {},
  'PATCH /api/v1/projects/:projectId/members/:userId': { body: { role: 'viewer' } },
  'DELETE /api/v1/projects/:projectId/members/:userId': {},
  'GET /api/v1/projects/:projectId/api-keys': {},
  'POST /api/v1/projects/:projectId/api-keys': { body: { name: 'intruder', scopes: ['admin'] } },
  'DELETE /api/v1/projects/:projectId/api-keys/:keyId': {},
  'GET /api/v1/traces': { status: { key: 200, session: 200 } },
  'GET /api/v1/traces/:traceId': {},
  // Signals name a trace in the body: a caller of A stores them in A (a trace may arrive later), never in B.
  'POST /api/v1/evaluations': {
    body: () => ({ items: [{ traceId: b.traceId, name: 'intrusion', score: 0 }] }),
    status: { key: 200, session: 200 },
  },
  'POST /api/v1/feedback': {
    body: () => ({ items: [{ traceId: b.traceId, kind: 'thumbs', value: 'down' }] }),
    status: { key: 200, session: 200 },
  },
  // Label schemas and queues: lists and creation act on the caller's own project.
  'GET /api/v1/label-schemas': { status: { key: 200, session: 200 } },
  'POST /api/v1/label-schemas': { body: { name: 'A schema', fields: [{ key: 'ok', title: 'OK', type: 'boolean' }] }, status: { key: 201, session: 201 } },
  'GET /api/v1/label-schemas/:schemaId': {},
  'PATCH /api/v1/label-schemas/:schemaId': { body: { name: 'Taken over', fields: [{ key: 'ok', title: 'OK', type: 'boolean' }] } },
  'GET /api/v1/queues': { status: { key: 200, session: 200 } },
  // A queue on B's schema: the schema is not A's, so 404 for every caller.
  'POST /api/v1/queues': { body: () => ({ name: 'Intruder', schemaId: b.schemaId }) },
  'GET /api/v1/queues/:queueId': {},
  'PATCH /api/v1/queues/:queueId': { body: { name: 'Taken over', reviewersPerItem: 1 } },
  'POST /api/v1/queues/:queueId/archive': {},
  'GET /api/v1/queues/:queueId/progress': {},
  'GET /api/v1/queues/:queueId/export': {},
  'GET /api/v1/queues/:queueId/live': {},
  'POST /api/v1/queues/:queueId/claim': {},
  'GET /api/v1/queues/:queueId/items': {},
  'POST /api/v1/queues/:queueId/items': { body: () => ({ traceIds: [b.traceId], restore: true }) },
  'GET /api/v1/queues/:queueId/items/:itemId': {},
  'DELETE /api/v1/queues/:queueId/items/:itemId': {},
  'PUT /api/v1/queues/:queueId/items/:itemId/draft': { body: { values: { verdict: 'fail' } } },
  'POST /api/v1/queues/:queueId/items/:itemId/submit': { body: { values: { verdict: 'fail' } } },
  'PUT /api/v1/queues/:queueId/items/:itemId/submission': { body: { values: { verdict: 'fail' } } },
  'POST /api/v1/queues/:queueId/items/:itemId/skip': { body: { reason: 'intrusion' } },
  'POST /api/v1/queues/:queueId/items/:itemId/release': {},
  'PUT /api/v1/queues/:queueId/items/:itemId/adjudication': { body: { values: { verdict: 'fail' }, notes: 'intrusion' } },
  'DELETE /api/v1/queues/:queueId/items/:itemId/adjudication': {},
  'GET /api/v1/insights/agreement': { query: () => `?queueId=${b.queueId}` },
  // Automations: lists, creation and previews act on the caller's own project; a rule naming B's queue is refused.
  'GET /api/v1/automations': { status: { key: 200, session: 200 } },
  'POST /api/v1/automations': { body: () => ({ name: 'Intruder', condition: { all: [{ hasError: true }] }, actions: [{ type: 'queue', queueId: b.queueId }] }), status: { key: 422, session: 422 } },
  'POST /api/v1/automations/preview': { body: { condition: { all: [{ hasError: false }] }, hours: 24 }, status: { key: 200, session: 200 } },
  'GET /api/v1/automations/:ruleId': {},
  'PATCH /api/v1/automations/:ruleId': { body: { enabled: false } },
  'DELETE /api/v1/automations/:ruleId': {},
  'POST /api/v1/automations/:ruleId/backfills': { body: { from: 0, to: 1 } },
  'GET /api/v1/automations/:ruleId/backfills/:jobId': {},
  'POST /api/v1/automations/:ruleId/backfills/:jobId/cancel': {},
  // Datasets: lists and creation act on the caller's own project; adding B's trace to A's dataset is covered in datasets/from-traces.test.ts.
  'GET /api/v1/datasets': { status: { key: 200, session: 200 } },
  'POST /api/v1/datasets': { body: () => ({ name: `A dataset ${crypto.randomUUID()}` }), status: { key: 201, session: 201 } },
  'GET /api/v1/datasets/:datasetId': {},
  'PATCH /api/v1/datasets/:datasetId': { body: { name: 'Taken over' } },
  'DELETE /api/v1/datasets/:datasetId': {},
  'GET /api/v1/datasets/:datasetId/versions': {},
  'PUT /api/v1/datasets/:datasetId/tags/:tag': { body: { version: 1 } },
  'DELETE /api/v1/datasets/:datasetId/tags/:tag': {},
  'GET /api/v1/datasets/:datasetId/records': {},
  'POST /api/v1/datasets/:datasetId/records': { body: { records: [{ input: 'intrusion' }] } },
  'POST /api/v1/datasets/:datasetId/records/from-traces': { body: () => ({ traceIds: [b.traceId], allowDuplicates: true }) },
  'POST /api/v1/datasets/:datasetId/records/from-queue': { body: () => ({ queueId: b.queueId, allowDuplicates: true }) },
  'POST /api/v1/datasets/:datasetId/records/remove': { body: () => ({ recordIds: [b.recordId] }) },
  'GET /api/v1/datasets/:datasetId/records/:recordId': {},
  'PATCH /api/v1/datasets/:datasetId/records/:recordId': { body: { input: 'taken over' } },
  'DELETE /api/v1/datasets/:datasetId/records/:recordId': {},
  'POST /api/v1/datasets/:datasetId/import': { body: { input: 'intrusion' } },
  'GET /api/v1/datasets/:datasetId/export': {},
  'POST /api/v1/datasets/:datasetId/exports': { body: { format: 'jsonl' } },
  'GET /api/v1/datasets/:datasetId/exports': {},
  'GET /api/v1/datasets/:datasetId/exports/:exportId': {},
  'GET /api/v1/datasets/:datasetId/exports/:exportId/download': {},
  // Insights read the caller's own project; naming B's queue is 404.
  'GET /api/v1/insights/calibration': { query: () => `?evaluator=intrusion&field=verdict&queueId=${b.queueId}` },
  // The evaluator list is the caller's own project's (B's schema title is a marker, so it must not show).
  'GET /api/v1/insights/evaluators': { status: { key: 200, session: 200 } },
  'GET /api/v1/insights/calibration/history': { query: () => `?evaluator=intrusion&field=verdict&queueId=${b.queueId}` },
  'GET /api/v1/insights/calibration/disagreements': { query: () => `?evaluator=intrusion&field=verdict&queueId=${b.queueId}` },
  'POST /api/v1/insights/calibration/disagreements/queue': { body: () => ({ evaluator: 'intrusion', field: 'verdict', queueId: b.queueId }) },
  'POST /api/v1/insights/calibration/disagreements/dataset': { body: () => ({ evaluator: 'intrusion', field: 'verdict', datasetId: b.datasetId }) },
  'GET /api/v1/insights/trends': { query: () => `?splitBy=model&queueId=${b.queueId}` },
  'GET /api/v1/insights/compare': { query: () => `?dimension=model&a=gpt-4o-mini&b=gpt-4o&queueId=${b.queueId}` },
  'GET /api/v1/insights/dimensions': { query: () => `?queueId=${b.queueId}` },
  // Rebuilding materialized labels acts on the caller's own project.
  'POST /api/v1/insights/labels/rebuild': { status: { key: 200, session: 200 } },
  // Operations: the status is the caller's own project (B's dead letter must not show); B's dead letter is 404.
  'GET /api/v1/ops/status': { status: { key: 200, session: 200 } },
  'POST /api/v1/ops/dead-letters/:deadLetterId/replay': {},
};

/** `METHOD path` of every handler; `use()` middleware shows up as ALL on a `*` path and is skipped. */
function appRoutes(): string[] {
  const keys = app.routes.filter((r) => !(r.method === 'ALL' && r.path.endsWith('*'))).map((r) => `${r.method} ${r.path}`);
  return [...new Set(keys)].sort();
}

interface ProjectB {
  projectId: string;
  key: string;
  keyId: string;
  adminUserId: string;
  adminCookie: string;
  reviewerUserId: string;
  traceId: string;
  inviteToken: string;
  schemaId: string;
  /** A queue with B's trace as its item, reviewed once (by B's key) out of two reviews. */
  queueId: string;
  /** An enabled rule routing to B's queue, with one finished backfill. */
  ruleId: string;
  jobId: string;
  /** A dataset made from B's trace (one record, tagged, exported to R2). */
  datasetId: string;
  recordId: string;
  tag: string;
  exportId: string;
  /** Strings that only B's data contains: none may appear in any answer to A. */
  markers: string[];
}

let b: ProjectB;

/** Project B with its data on `shard`. */
async function setUpB(shard: string): Promise<void> {
  const { projectId, key } = await makeProject(['admin'], { shard });
  const marker = `b-secret-${crypto.randomUUID().slice(0, 8)}`;
  expect((await call('PATCH', `/api/v1/projects/${projectId}`, { key }, { name: marker })).status).toBe(200);
  const admin = await makeUser(projectId, 'admin');
  const reviewer = await makeUser(projectId, 'reviewer');
  const keys = await call('GET', `/api/v1/projects/${projectId}/api-keys`, { key });
  const invite = await call('POST', `/api/v1/projects/${projectId}/members`, { key }, { email: `${marker}@example.test`, role: 'viewer' });
  const traceId = hex(16);
  expect((await postOtlp(otlpJson([llmSpan(traceId, undefined, { input: `${marker} input` })]), key)).status).toBe(200);
  const fields = [{ key: 'verdict', title: marker, type: 'pass_fail', required: true }];
  const schema = await call('POST', '/api/v1/label-schemas', { key }, { name: marker, fields });
  const queue = await call('POST', '/api/v1/queues', { key }, { name: marker, schemaId: schema.body.id, reviewersPerItem: 2 });
  expect((await call('POST', `/api/v1/queues/${queue.body.id}/items`, { key }, { traceIds: [traceId] })).body.added).toEqual([traceId]);
  const review = await call('POST', `/api/v1/queues/${queue.body.id}/items/${traceId}/submit`, { key }, { values: { verdict: 'pass' }, notes: marker });
  expect(review.status).toBe(200);
  const rule = await call('POST', '/api/v1/automations', { key }, { name: marker, condition: { all: [{ hasError: true }] }, actions: [{ type: 'queue', queueId: queue.body.id }] });
  expect(rule.status, rule.text).toBe(201);
  const job = await call('POST', `/api/v1/automations/${rule.body.id}/backfills`, { key }, { from: 0, to: 1 });
  expect(job.status, job.text).toBe(202);
  const dataset = await call('POST', '/api/v1/datasets', { key }, { name: marker, description: marker });
  const fromTrace = await call('POST', `/api/v1/datasets/${dataset.body.id}/records/from-traces`, { key }, { traceIds: [traceId], mapping: { input: { from: 'first_user_message' } } });
  expect(fromTrace.body.added, fromTrace.text).toHaveLength(1);
  expect((await call('PUT', `/api/v1/datasets/${dataset.body.id}/tags/${marker}`, { key }, { version: 1 })).status).toBe(200);
  const exported = await call('POST', `/api/v1/datasets/${dataset.body.id}/exports`, { key }, { format: 'jsonl' });
  expect(exported.status, exported.text).toBe(202);
  const deadLetter = { type: 'traces.touched', projectId, traceIds: [traceId] };
  await (await shardOf(projectId)).prepare('INSERT INTO dead_letters (id, queue, project_id, body, attempts, received_at) VALUES (?, ?, ?, ?, 1, ?)')
    .bind(`dl-${projectId}`, 'sieve-post-ingest-dlq', projectId, JSON.stringify(deadLetter), Date.now())
    .run();
  b = {
    projectId,
    key,
    keyId: keys.body.data[0].id,
    adminUserId: admin.userId,
    adminCookie: await login(admin.email, admin.password),
    reviewerUserId: reviewer.userId,
    traceId,
    inviteToken: invite.body.inviteUrl.split('/invite/')[1],
    schemaId: schema.body.id,
    queueId: queue.body.id,
    ruleId: rule.body.id,
    jobId: job.body.id,
    datasetId: dataset.body.id,
    recordId: fromTrace.body.added[0].recordId,
    tag: marker,
    exportId: exported.body.id,
    markers: [marker, admin.email, reviewer.email, keys.body.data[0].prefix, traceId.slice(0, 12)],
  };
}

/** Where each path parameter points in project B. */
const paramsOfB = (): Record<string, string> => ({
  datasetId: b.datasetId,
  recordId: b.recordId,
  tag: b.tag,
  exportId: b.exportId,
  projectId: b.projectId,
  userId: b.reviewerUserId,
  keyId: b.keyId,
  traceId: b.traceId,
  schemaId: b.schemaId,
  queueId: b.queueId,
  itemId: b.traceId,
  ruleId: b.ruleId,
  jobId: b.jobId,
  deadLetterId: `dl-${b.projectId}`,
});

function pathForB(path: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const value = paramsOfB()[name];
    if (!value) throw new Error(`No resource of project B for :${name}; add one to paramsOfB()`);
    return value;
  });
}

/** B's key and B's admin session still work; B's name, members, keys, trace and pending invite are as they were. */
async function expectBUnchanged(): Promise<void> {
  const auth = { key: b.key };
  expect((await call('GET', '/api/v1/me', { cookie: b.adminCookie })).status).toBe(200);
  expect((await call('GET', `/api/v1/projects/${b.projectId}`, auth)).body.name).toBe(b.markers[0]);
  const members = await call('GET', `/api/v1/projects/${b.projectId}/members`, auth);
  expect(members.body.data.map((m: any) => [m.userId, m.role]).sort()).toEqual(
    [[b.adminUserId, 'admin'], [b.reviewerUserId, 'reviewer']].sort(),
  );
  expect(members.body.invites).toHaveLength(1);
  const keys = await call('GET', `/api/v1/projects/${b.projectId}/api-keys`, auth);
  expect(keys.body.data.map((k: any) => [k.id, k.revokedAt])).toEqual([[b.keyId, null]]);
  const trace = await call('GET', `/api/v1/traces/${b.traceId}`, auth);
  expect(trace.status).toBe(200);
  expect([trace.body.evaluations, trace.body.feedback, trace.body.trace.feedback.count]).toEqual([[], [], 0]);
  expect((await call('GET', `/api/v1/auth/invites/${b.inviteToken}`)).status).toBe(200);
  const schema = await call('GET', `/api/v1/label-schemas/${b.schemaId}`, auth);
  expect([schema.body.name, schema.body.version]).toEqual([b.markers[0], 1]);
  const queue = await call('GET', `/api/v1/queues/${b.queueId}`, auth);
  expect([queue.body.name, queue.body.status, queue.body.reviewersPerItem]).toEqual([b.markers[0], 'active', 2]);
  expect(queue.body.progress).toMatchObject({ total: 1, removed: 0, reviewsSubmitted: 1 });
  const items = await call('GET', `/api/v1/queues/${b.queueId}/items`, auth);
  expect(items.body.data.map((i: any) => [i.itemId, i.status, i.leased, i.reviewsDone])).toEqual([[b.traceId, 'in_progress', 0, 1]]);
  const rule = await call('GET', `/api/v1/automations/${b.ruleId}`, auth);
  expect([rule.body.name, rule.body.enabled, rule.body.version, rule.body.backfills.map((j: any) => [j.id, j.status === 'cancelled'])]).toEqual([
    b.markers[0],
    true,
    1,
    [[b.jobId, false]],
  ]);
  const dataset = await call('GET', `/api/v1/datasets/${b.datasetId}`, auth);
  expect([dataset.body.name, dataset.body.version, dataset.body.recordCount, dataset.body.tags]).toEqual([b.markers[0], 1, 1, [{ tag: b.tag, version: 1 }]]);
  const record = await call('GET', `/api/v1/datasets/${b.datasetId}/records/${b.recordId}`, auth);
  expect([record.status, record.body.input]).toEqual([200, `${b.markers[0]} input`]);
  expect((await call('GET', `/api/v1/datasets/${b.datasetId}/exports/${b.exportId}`, auth)).status).toBe(200);
}

/** The shard of project A in the running pass (B's is the other one). */
let shardOfA: string;

/** A fresh project A with an admin key and two signed-in admins (fresh, since some routes sign out). */
async function callersFromA(): Promise<Record<Caller, Auth>> {
  const a = await makeProject(['admin'], { shard: shardOfA });
  const [one, two] = [await makeUser(a.projectId, 'admin'), await makeUser(a.projectId, 'admin')];
  return {
    key: { key: a.key },
    session: { cookie: await login(one.email, one.password) },
    sessionNamingB: { cookie: await login(two.email, two.password), project: b.projectId },
  };
}

describe('every route is covered', () => {
  it('has a fixture or a public exemption for each route of the app, and no stale entries', () => {
    const routes = appRoutes();
    const missing = routes.filter((r) => !(r in FIXTURES) && !(r in PUBLIC));
    expect(missing, 'add these routes to FIXTURES (or, if truly public, to PUBLIC)').toEqual([]);
    const stale = [...Object.keys(FIXTURES), ...Object.keys(PUBLIC)].filter((r) => !routes.includes(r));
    expect(stale, 'these entries name routes that no longer exist').toEqual([]);
  });
});

// Two passes with A and B on different shards, both ways round: a query that reaches the wrong shard fails here.
for (const [a, bShard] of [[SHARDS[0], SHARDS[1]], [SHARDS[1], SHARDS[0]]]) describe(`A on ${a}, B on ${bShard}`, () => {
  beforeAll(async () => {
    expect(a).not.toBe(bShard);
    shardOfA = a;
    await setUpB(bShard);
  });

  describe('callers from project A cannot see or touch project B', () => {
    for (const [route, fixture] of Object.entries(FIXTURES)) {
      it(`${route} → 404 for B's resources`, async () => {
        const [method, path] = route.split(' ') as [string, string];
        const callers = await callersFromA();
        for (const caller of Object.keys(callers) as Caller[]) {
          const body = typeof fixture.body === 'function' ? fixture.body() : fixture.body;
          const res = await call(method, pathForB(path) + (fixture.query?.() ?? ''), callers[caller], body);
          const expected = fixture.status?.[caller] ?? 404;
          expect(res.status, `${caller}: ${res.text}`).toBe(expected);
          if (expected === 404) expect(res.body.error.code).toBe('not_found');
          for (const marker of b.markers) expect(res.text, `${caller} saw B's data`).not.toContain(marker);
        }
        await expectBUnchanged();
      });
    }
  });

  describe('POST /v1/traces', () => {
    it("writes with a key of A into A, never into B, whatever the request names", async () => {
      const callers = await callersFromA();
      const traceId = hex(16);
      const res = await postOtlp(otlpJson([llmSpan(traceId, undefined)]), callers.key.key!, { 'x-sieve-project': b.projectId });
      expect(res.status).toBe(200);
      expect((await call('GET', `/api/v1/traces/${traceId}`, callers.key)).status).toBe(200);
      expect((await call('GET', `/api/v1/traces/${traceId}`, { key: b.key })).status).toBe(404);
    });

    it('refuses a signed-in admin of A who names B (404) and writes nothing into B', async () => {
      const callers = await callersFromA();
      const traceId = hex(16);
      const res = await postOtlp(otlpJson([llmSpan(traceId, undefined)]), null, { cookie: callers.sessionNamingB.cookie!, 'x-sieve-project': b.projectId });
      expect(res.status).toBe(404);
      expect((await call('GET', `/api/v1/traces/${traceId}`, { key: b.key })).status).toBe(404);
      await expectBUnchanged();
    });
  });
});
