import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { app } from '../../../worker/index';
import { MAX_JSON_BODY_BYTES, MAX_JSON_DEPTH } from '../../../worker/lib/validate';
import { call, hex, llmSpan, login, makeProject, makeUser, ORIGIN, otlpJson, postOtlp, type Auth } from '../helpers';
import { assertPrototypesClean, checkAsync, deepJsonText, ENDPOINT_SHRINKS, hostileJson, PROTO_KEYS, runs } from './arbitraries';
import { addKeyAt, applyMutations, mutations, pathsOf, replaceAt, valueAt } from './json-mutate';

/**
 * Every POST/PUT/PATCH route of the app (enumerated from `app.routes`, so a new route is fuzzed
 * without touching this file), called by an admin of a fresh project that owns one of each
 * resource: random JSON bodies, valid bodies with fields replaced by hostile values, prototype
 * keys at every level, malformed JSON, wrong content types, nesting past MAX_JSON_DEPTH and bodies
 * over MAX_JSON_BODY_BYTES. Never a 5xx; every 4xx is `{ error: { code, message, details? } }`;
 * nothing reaches a prototype; afterwards every GET route of the project still answers.
 * OTLP ingest (`/v1/traces`) answers in OTLP's own format and is fuzzed in otlp-*.test.ts.
 */

const SKIP = new Set(['POST /v1/traces']);
const RUNS_PER_ROUTE = 8;

/** The error body: nothing but `error`, with a code and a message (details and the request id optional). */
const ErrorShape = z.strictObject({
  error: z.strictObject({ code: z.string().min(1), message: z.string().min(1), details: z.unknown().optional(), requestId: z.string().optional() }),
});

function routesOf(methods: string[]): string[] {
  const keys = app.routes.filter((r) => methods.includes(r.method) && !r.path.endsWith('*')).map((r) => `${r.method} ${r.path}`);
  return [...new Set(keys)].filter((k) => !SKIP.has(k)).sort();
}

interface Fixture {
  projectId: string;
  key: string;
  params: Record<string, string>;
  traceId: string;
  queueId: string;
  inviteToken: string;
}

let fx: Fixture;

/** A valid body per route, as a client would send it; a route added later starts from `{}`. */
function sampleBody(route: string): unknown {
  const traceId = fx.traceId;
  const samples: Record<string, unknown> = {
    'POST /api/v1/auth/login': { email: 'nobody@example.test', password: 'wrong password' },
    'POST /api/v1/auth/password': { currentPassword: 'wrong password', newPassword: 'a new long password' },
    'POST /api/v1/auth/invites/accept': { token: fx.inviteToken, name: 'Invited', password: 'a long password' },
    'POST /api/v1/projects': { name: 'Fuzzed project' },
    'PATCH /api/v1/projects/:projectId': { name: 'Renamed', retentionDays: 30, redaction: { detectors: { email: true }, customPatterns: [{ name: 'ticket', pattern: 'T-\\d+' }], dropAttributes: ['secret.*'] } },
    'POST /api/v1/projects/:projectId/members': { email: 'member@example.test', role: 'viewer' },
    'PATCH /api/v1/projects/:projectId/members/:userId': { role: 'viewer' },
    'POST /api/v1/projects/:projectId/api-keys': { name: 'fuzz', scopes: ['read'] },
    'POST /api/v1/evaluations': { items: [{ traceId, name: 'faithfulness', score: 0.5, label: 'pass', metadata: { a: 1 } }] },
    'POST /api/v1/feedback': { items: [{ traceId, kind: 'thumbs', value: 'down', comment: 'meh' }] },
    'POST /api/v1/label-schemas': { name: 'Fuzz schema', fields: [{ key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true }, { key: 'tags', title: 'Tags', type: 'categorical', multiple: true, options: [{ value: 'a' }, { value: 'b' }] }] },
    'PATCH /api/v1/label-schemas/:schemaId': { name: 'Fuzz schema 2', fields: [{ key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true }, { key: 'score', title: 'Score', type: 'numeric', min: 0, max: 5, step: 1 }] },
    'POST /api/v1/queues': { name: 'Fuzz queue', schemaId: fx.params.schemaId, reviewersPerItem: 1 },
    'PATCH /api/v1/queues/:queueId': { name: 'Renamed queue', reviewersPerItem: 2 },
    'POST /api/v1/queues/:queueId/items': { traceIds: [traceId], restore: true },
    'PUT /api/v1/queues/:queueId/items/:itemId/draft': { values: { verdict: 'fail' }, notes: 'draft' },
    'POST /api/v1/queues/:queueId/items/:itemId/submit': { values: { verdict: 'fail' }, notes: 'done' },
    'PUT /api/v1/queues/:queueId/items/:itemId/submission': { values: { verdict: 'pass' } },
    'PUT /api/v1/queues/:queueId/items/:itemId/adjudication': { values: { verdict: 'pass' }, notes: 'final' },
    'POST /api/v1/queues/:queueId/items/:itemId/skip': { reason: 'unclear' },
    'POST /api/v1/automations': { name: 'Fuzz rule', condition: { all: [{ hasError: true }, { any: [{ attribute: 'gen_ai.request.model', op: 'eq', value: 'gpt-4o' }] }] }, actions: [{ type: 'queue', queueId: fx.queueId }], sampling: { rate: 0.5 } },
    'POST /api/v1/automations/preview': { condition: { all: [{ hasError: false }] }, hours: 24 },
    'PATCH /api/v1/automations/:ruleId': { enabled: false },
    'POST /api/v1/automations/:ruleId/backfills': { from: 0, to: 1 },
    'POST /api/v1/datasets': { name: 'Fuzz dataset', description: 'd', recordSchema: { input: 'text', metadata: [{ key: 'm', type: 'string' }] } },
    'PATCH /api/v1/datasets/:datasetId': { name: 'Renamed dataset' },
    'PUT /api/v1/datasets/:datasetId/tags/:tag': { version: 1 },
    'POST /api/v1/datasets/:datasetId/records': { records: [{ input: 'q', output: { a: [1, 2] }, expected_output: 'e', metadata: { m: 'x' } }] },
    'POST /api/v1/datasets/:datasetId/records/from-traces': { traceIds: [traceId], allowDuplicates: true, mapping: { input: { from: 'span_attribute', path: 'gen_ai.input.messages.0.role' }, metadata: { include: ['model'], attributes: [{ key: 'm', path: 'gen_ai.request.model' }] } } },
    'POST /api/v1/datasets/:datasetId/records/from-queue': { queueId: fx.queueId, allowDuplicates: true },
    'POST /api/v1/datasets/:datasetId/records/remove': { recordIds: [fx.params.recordId] },
    'PATCH /api/v1/datasets/:datasetId/records/:recordId': { input: 'edited', metadata: { m: 'y' } },
    'POST /api/v1/datasets/:datasetId/exports': { format: 'jsonl' },
    'POST /api/v1/insights/calibration/disagreements/queue': { evaluator: 'faithfulness', field: 'verdict', queueId: fx.queueId, limit: 5 },
    'POST /api/v1/insights/calibration/disagreements/dataset': { evaluator: 'faithfulness', field: 'verdict', name: 'Disagreements', limit: 5 },
  };
  return route in samples ? samples[route] : {};
}

/** The concrete path of a route in the fixture project; a parameter nobody made yet gets an unknown id. */
function pathOf(route: string): string {
  return route.split(' ')[1].replace(/:(\w+)/g, (_, name: string) => fx.params[name] ?? `unknown-${name}`);
}

async function send(method: string, path: string, auth: Auth, body: BodyInit | undefined, contentType?: string, extra: Record<string, string> = {}) {
  // Failed sign-ins are throttled per client IP; the fuzzer's must not lock out the fixture's own sign-ins.
  const headers: Record<string, string> = { origin: ORIGIN, 'cf-connecting-ip': '203.0.113.9', ...extra };
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  if (contentType) headers['content-type'] = contentType;
  const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers, body });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Never a 5xx; a 4xx is JSON in the `{ error }` shape. Returns the status. */
function expectClientAnswer(route: string, what: string, res: { status: number; type: string; text: string }): number {
  const where = `${route} (${what}) → ${res.status} ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.type, where).toContain('application/json');
    const shape = ErrorShape.safeParse(JSON.parse(res.text));
    expect(shape.success, `${where}\n${JSON.stringify(shape.error?.issues)}`).toBe(true);
  }
  assertPrototypesClean();
  return res.status;
}

/** Who calls a route: the admin key, or a signed-in admin where a key is refused (routes for people). */
async function callerFor(route: string): Promise<Auth> {
  const [method] = route.split(' ');
  const probe = await send(method, pathOf(route), { key: fx.key }, JSON.stringify(sampleBody(route)), 'application/json');
  if (probe.status !== 403) return { key: fx.key };
  // A fresh admin each time: wrong current passwords sent to /auth/password lock out that email's sign-in.
  const admin = await makeUser(fx.projectId, 'admin');
  return { cookie: await login(admin.email, admin.password) };
}

// A stable seed per route, so a route's counterexample replays whatever routes are added around it.
const seedOf = (route: string) => [...route].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, 0x5eed30);

beforeAll(async () => {
  const { projectId, key } = await makeProject(['admin']);
  const reviewer = await makeUser(projectId, 'reviewer');
  const traceId = hex(16);
  expect((await postOtlp(otlpJson([llmSpan(traceId, undefined)]), key)).status).toBe(200);
  const auth = { key };
  const schema = await call('POST', '/api/v1/label-schemas', auth, { name: 'Fixture', fields: [{ key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true }] });
  const queue = await call('POST', '/api/v1/queues', auth, { name: 'Fixture', schemaId: schema.body.id, reviewersPerItem: 2 });
  expect((await call('POST', `/api/v1/queues/${queue.body.id}/items`, auth, { traceIds: [traceId] })).status).toBeLessThan(300);
  const rule = await call('POST', '/api/v1/automations', auth, { name: 'Fixture', condition: { all: [{ hasError: true }] }, actions: [{ type: 'queue', queueId: queue.body.id }] });
  const job = await call('POST', `/api/v1/automations/${rule.body.id}/backfills`, auth, { from: 0, to: 1 });
  const dataset = await call('POST', '/api/v1/datasets', auth, { name: 'Fixture' });
  const records = await call('POST', `/api/v1/datasets/${dataset.body.id}/records`, auth, { records: [{ input: 'fixture' }] });
  expect((await call('PUT', `/api/v1/datasets/${dataset.body.id}/tags/fixture`, auth, { version: 1 })).status).toBe(200);
  const exported = await call('POST', `/api/v1/datasets/${dataset.body.id}/exports`, auth, { format: 'jsonl' });
  const keys = await call('GET', `/api/v1/projects/${projectId}/api-keys`, auth);
  const invite = await call('POST', `/api/v1/projects/${projectId}/members`, auth, { email: `invited-${hex(4)}@example.test`, role: 'viewer' });
  for (const r of [schema, queue, rule, job, dataset, records, exported, keys, invite]) expect(r.status, r.text).toBeLessThan(300);
  fx = {
    projectId,
    key,
    traceId,
    queueId: queue.body.id,
    inviteToken: invite.body.inviteUrl.split('/invite/')[1],
    params: {
      projectId,
      userId: reviewer.userId,
      keyId: keys.body.data[0].id,
      traceId,
      schemaId: schema.body.id,
      queueId: queue.body.id,
      itemId: traceId,
      ruleId: rule.body.id,
      jobId: job.body.id,
      datasetId: dataset.body.id,
      recordId: records.body.added[0],
      tag: 'fixture',
      exportId: exported.body.id,
    },
  };
}, 60_000);

describe('POST/PUT/PATCH routes with hostile bodies', () => {
  const routes = routesOf(['POST', 'PUT', 'PATCH']);

  it('enumerates the routes of the app', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
  });

  for (const route of routes) {
    it(`${route} never answers 5xx, and answers 4xx as { error }`, async () => {
      const [method] = route.split(' ');
      const path = pathOf(route);
      const auth = await callerFor(route);
      const sample = sampleBody(route);
      const json = (v: unknown) => send(method, path, auth, JSON.stringify(v), 'application/json');

      // Random JSON, and the valid body with fields replaced or prototype keys added.
      const body = fc.oneof(hostileJson, mutations.map((m) => applyMutations(sample, m)));
      await checkAsync(
        fc.asyncProperty(fc.limitShrink(body, ENDPOINT_SHRINKS), async (value) => {
          expectClientAnswer(route, 'fuzzed JSON', await json(value));
        }),
        runs(seedOf(route), RUNS_PER_ROUTE),
      );

      // Prototype keys on every object of the valid body at once.
      let polluted: unknown = sample;
      for (const p of pathsOf(sample)) for (const k of PROTO_KEYS.slice(0, 3)) polluted = addKeyAt(polluted, p, k, { polluted: 'yes' });
      expectClientAnswer(route, 'prototype keys', await json(polluted));

      // Each string of the valid body in turn (a name, a key, a path, an id) as a prototype member's name.
      for (const p of pathsOf(sample).filter((at) => typeof valueAt(sample, at) === 'string')) {
        for (const name of ['constructor', '__proto__', 'toString']) {
          expectClientAnswer(route, `${p.join('.')} = "${name}"`, await json(replaceAt(sample, p, name)));
        }
      }

      // Malformed JSON, no body, and bodies that are not JSON at all.
      for (const text of ['{"a":', '{', ']', 'nul', '{"a":1}}', '\u0000', '\uFEFF{}', "{'a':1}", '{"a":1,}', 'NaN']) {
        expectClientAnswer(route, `malformed ${JSON.stringify(text)}`, await send(method, path, auth, text, 'application/json'));
      }
      expectClientAnswer(route, 'no body', await send(method, path, auth, undefined));
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        expectClientAnswer(route, `as ${type}`, await send(method, path, auth, JSON.stringify(sample), type));
      }
      expectClientAnswer(route, 'form fields', await send(method, path, auth, 'a=1&b=%00', 'application/x-www-form-urlencoded'));

      // Past the limits: too deep is 400 and too large is 413 wherever a JSON body is read.
      const deep = await send(method, path, auth, deepJsonText(MAX_JSON_DEPTH * 50, 'mixed'), 'application/json');
      if (expectClientAnswer(route, 'deep', deep) === 400 && !route.endsWith('/import')) expect(deep.text).toMatch(/nested more than|not valid JSON|Invalid/);
      const declared = await send(method, path, auth, '{}', 'application/json', { 'content-length': String(MAX_JSON_BODY_BYTES + 1) }).catch(() => null);
      if (declared) expectClientAnswer(route, 'declared too large', declared);
    }, 60_000);
  }

  it('adds no record from a prototype member named as a span attribute path', async () => {
    const route = 'POST /api/v1/datasets/:datasetId/records/from-traces';
    for (const path of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'gen_ai.input.messages.0.constructor', 'gen_ai.input.messages.__proto__']) {
      const body = { traceIds: [fx.traceId], allowDuplicates: true, mapping: { input: { from: 'span_attribute', path } } };
      const res = await send('POST', pathOf(route), { key: fx.key }, JSON.stringify(body), 'application/json');
      expectClientAnswer(route, `path ${path}`, res);
      expect(JSON.parse(res.text).added, `${path}: ${res.text.slice(0, 200)}`).toEqual([]);
    }
  });

  it('answers a body nested past MAX_JSON_DEPTH with 400, and one at the limit as usual', async () => {
    const route = 'POST /api/v1/datasets/:datasetId/records';
    const at = deepJsonText(MAX_JSON_DEPTH - 4, 'array');
    const ok = await send('POST', pathOf(route), { key: fx.key }, `{"records":[{"input":${at}}]}`, 'application/json');
    expect(ok.status, ok.text).toBe(200);
    for (const depth of [MAX_JSON_DEPTH + 1, 10_000, 200_000]) {
      const res = await send('POST', pathOf(route), { key: fx.key }, `{"records":[{"input":${deepJsonText(depth, 'mixed')}}]}`, 'application/json');
      expect([res.status, JSON.parse(res.text).error.message]).toEqual([400, `The body is nested more than ${MAX_JSON_DEPTH} levels deep.`]);
    }
  }, 60_000);

  it('answers a body over MAX_JSON_BODY_BYTES with 413 before reading it whole', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(MAX_JSON_BODY_BYTES) });
    for (const route of ['POST /api/v1/datasets', 'PATCH /api/v1/label-schemas/:schemaId', 'POST /api/v1/evaluations']) {
      const res = await send(route.split(' ')[0], pathOf(route), { key: fx.key }, huge, 'application/json');
      expect([res.status, JSON.parse(res.text).error.code], route).toEqual([413, 'payload_too_large']);
    }
    const justUnder = JSON.stringify({ records: [{ input: 'y'.repeat(400_000) }] });
    expect((await send('POST', pathOf('POST /api/v1/datasets/:datasetId/records'), { key: fx.key }, justUnder, 'application/json')).status).toBe(200);
  }, 60_000);

  it('imports hostile JSONL and CSV files without a 5xx', async () => {
    const path = pathOf('POST /api/v1/datasets/:datasetId/import');
    const line = fc.oneof(
      hostileJson.map((v) => JSON.stringify(v)),
      hostileJson.map((v) => JSON.stringify({ input: v, metadata: v, expected_output: v })),
      fc.constantFrom('{"input":"x","metadata":{"__proto__":{"polluted":"yes"}}}', '{"__proto__":{"polluted":"yes"},"input":"x"}', `{"input":${deepJsonText(5_000, 'mixed')}}`, '{"input":'),
    );
    const cell = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', '{"__proto__":{"polluted":"yes"}}', '"', '""', '\r\n', ',', deepJsonText(3_000, 'array')));
    const csv = fc.tuple(fc.array(fc.oneof(fc.constantFrom('input', 'output', 'expected_output', 'metadata', '__proto__', 'constructor', 'source_trace_id'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }), fc.array(fc.array(cell, { maxLength: 6 }), { maxLength: 4 }))
      .map(([header, rows]) => [header, ...rows].map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')).join('\n'));
    const file = fc.oneof(
      fc.array(line, { maxLength: 5 }).map((lines) => ({ type: 'application/x-ndjson', text: lines.join('\n') })),
      csv.map((text) => ({ type: 'text/csv', text })),
    );
    await checkAsync(
      fc.asyncProperty(fc.limitShrink(file, ENDPOINT_SHRINKS), async ({ type, text }) => {
        expectClientAnswer('import', type, await send('POST', path, { key: fx.key }, text, type));
      }),
      runs(0x5eed31, 40),
    );
    const invalidUtf8 = new Uint8Array([0x69, 0x6e, 0x70, 0x75, 0x74, 0x0a, 0xff, 0xfe]);
    expectClientAnswer('import', 'invalid UTF-8', await send('POST', path, { key: fx.key }, invalidUtf8, 'text/csv'));
  }, 60_000);

  it('leaves every GET route of the project answering without a 5xx', async () => {
    for (const route of routesOf(['GET'])) {
      const res = await send('GET', pathOf(route), { key: fx.key }, undefined);
      expectClientAnswer(route, 'after fuzzing', res);
    }
  }, 60_000);
});
