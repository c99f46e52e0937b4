import { randomBytes } from 'node:crypto';
import { LOCAL_DEFAULTS } from '../../worker/cli/config';

/**
 * Issue #5's queue benchmark, against a running server: 50 reviewers (real users, signed in with
 * cookies) claim and submit in parallel on one queue of 10,000 items, through the public API only.
 * Reports claims/s, claim and submit latency, and double assignments, which must be 0.
 *
 * `key` is an admin-scope API key of `projectId` (members, queues and ingest); on a local server,
 * `createAdminKey(url, server.cfg)` makes one for the demo project.
 */
export async function queueBench(
  url: string,
  key: string,
  opts: { projectId?: string; reviewers?: number; items?: number; reviewersPerItem?: number; maxSeconds?: number } = {},
): Promise<QueueBenchResult> {
  const { projectId = LOCAL_DEFAULTS.projectId, reviewers = 50, items = 10_000, reviewersPerItem = 1, maxSeconds = 300 } = opts;
  const api = client(url, { authorization: `Bearer ${key}` });
  const t0 = performance.now();
  const traceIds = await ingestTraces(api, items);
  const queue = await api('POST', '/api/v1/queues', { name: `bench ${new Date().toISOString()}`, reviewersPerItem, leaseSeconds: 600 });
  for (let i = 0; i < traceIds.length; i += 1000) {
    const added = await api('POST', `/api/v1/queues/${queue.id}/items`, { traceIds: traceIds.slice(i, i + 1000) });
    if (added.added.length !== Math.min(1000, traceIds.length - i)) throw new Error(`items not added: ${JSON.stringify(added).slice(0, 300)}`);
  }
  const cookies = await signInReviewers(url, api, projectId, reviewers);
  console.log(`queue bench: ${items.toLocaleString()} traces, queue and ${reviewers} signed-in reviewers ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const claimMs: number[] = [];
  const submitMs: number[] = [];
  const held = new Map<string, string>();
  const done = new Set<string>();
  let doubleAssignments = 0;
  let errors = 0;
  const errorSamples = new Set<string>();
  const failed = (err: unknown) => {
    errors++;
    if (errorSamples.size < 5) errorSamples.add(String(err).slice(0, 200));
  };
  const deadline = performance.now() + maxSeconds * 1000;
  const start = performance.now();
  await Promise.all(
    cookies.map(async (cookie, n) => {
      const as = client(url, { cookie });
      while (performance.now() < deadline) {
        const c0 = performance.now();
        const claimed = await as('POST', `/api/v1/queues/${queue.id}/claim`).catch((err) => void failed(err));
        claimMs.push(performance.now() - c0);
        if (!claimed) continue;
        const item = claimed.item as { itemId: string; slot: number } | null;
        if (!item) return;
        // Double assignment: an (item, slot) held by two reviewers, or an item given to one reviewer twice.
        const slot = `${item.itemId}/${item.slot}`;
        if (held.has(slot) && held.get(slot) !== String(n)) doubleAssignments++;
        held.set(slot, String(n));
        if (done.has(`${item.itemId}/${n}`)) doubleAssignments++;
        const s0 = performance.now();
        const ok = await as('POST', `/api/v1/queues/${queue.id}/items/${item.itemId}/submit`, { values: { verdict: n % 4 ? 'pass' : 'fail' } }).then(
          () => true,
          (err) => void failed(err),
        );
        submitMs.push(performance.now() - s0);
        if (ok) done.add(`${item.itemId}/${n}`);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const progress = await api('GET', `/api/v1/queues/${queue.id}/progress`);
  const exported = (await (await fetch(`${url}/api/v1/queues/${queue.id}/export`, { headers: { authorization: `Bearer ${key}` } })).text()).trim().split('\n').filter(Boolean);
  const pairs = new Set(exported.map((l) => { const r = JSON.parse(l); return `${r.traceId}/${r.reviewerId}`; }));
  const result: QueueBenchResult = {
    reviewers,
    items,
    seconds,
    claims: claimMs.length,
    claimsPerSecond: claimMs.length / seconds,
    claimP50: pct(claimMs, 50),
    claimP99: pct(claimMs, 99),
    submitP50: pct(submitMs, 50),
    submitP99: pct(submitMs, 99),
    submitted: progress.reviewsSubmitted,
    annotationsInD1: exported.length,
    doubleAssignments: doubleAssignments + (exported.length - pairs.size),
    errors,
  };
  console.log('\n== annotation queue (issue #5): concurrent reviewers claiming and submitting on one queue ==');
  console.log(`${reviewers} reviewers, ${items.toLocaleString()} items × ${reviewersPerItem} review(s), ${seconds.toFixed(1)} s`);
  console.log(`claims ${result.claims.toLocaleString()}  ${result.claimsPerSecond.toFixed(1)} claims/s  p50 ${result.claimP50.toFixed(1)} ms  p99 ${result.claimP99.toFixed(1)} ms`);
  console.log(`submit p50 ${result.submitP50.toFixed(1)} ms  p99 ${result.submitP99.toFixed(1)} ms  errors ${errors}`);
  for (const e of errorSamples) console.log(`  error: ${e}`);
  console.log(`submitted ${result.submitted.toLocaleString()} / ${(items * reviewersPerItem).toLocaleString()}, annotations in D1 (export) ${result.annotationsInD1.toLocaleString()}`);
  console.log(`double assignments: ${result.doubleAssignments}${result.doubleAssignments === 0 ? ' ✓' : ' ✗'}`);
  return result;
}

export interface QueueBenchResult {
  reviewers: number;
  items: number;
  seconds: number;
  claims: number;
  claimsPerSecond: number;
  claimP50: number;
  claimP99: number;
  submitP50: number;
  submitP99: number;
  submitted: number;
  annotationsInD1: number;
  doubleAssignments: number;
  errors: number;
}

/** Signs in as a project admin and creates an admin-scope API key (for `queueBench` on a local server). */
/** A new project (it lands on the least-loaded shard) with an admin key, for benchmarks that need a second tenant. */
export async function createProjectWithKey(url: string, admin: { adminEmail: string; adminPassword: string }, name: string): Promise<{ projectId: string; key: string }> {
  const cookie = await login(url, admin.adminEmail, admin.adminPassword);
  const project = await client(url, { cookie })('POST', '/api/v1/projects', { name });
  return { projectId: project.id as string, key: await createAdminKey(url, admin, project.id as string) };
}

export async function createAdminKey(url: string, admin: { adminEmail: string; adminPassword: string }, projectId: string = LOCAL_DEFAULTS.projectId): Promise<string> {
  const cookie = await login(url, admin.adminEmail, admin.adminPassword);
  const created = await client(url, { cookie })('POST', `/api/v1/projects/${projectId}/api-keys`, { name: 'queue bench', scopes: ['admin'] });
  return created.key as string;
}

type Api = (method: string, path: string, body?: unknown) => Promise<any>;

/** JSON over fetch; state changes carry the origin header, as the app's own requests do (CSRF check). */
function client(url: string, headers: Record<string, string>): Api {
  return async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...headers, origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sieve_session='));
  if (!cookie) throw new Error('login set no session cookie');
  return cookie.split(';')[0];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** `n` one-span LLM traces, sent as OTLP/JSON in requests of 500 spans, four at a time. */
async function ingestTraces(api: Api, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => hex(16));
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 500) batches.push(ids.slice(i, i + 500));
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (traceId: string, i: number) => ({
    traceId,
    spanId: hex(8),
    name: 'chat gpt-4o-mini',
    kind: 3,
    startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(now + BigInt(i) * 1_000_000n + 800_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
      { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Question ${i}: where is my order?` }] }]) } },
      { key: 'gen_ai.output.messages', value: { stringValue: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It ships tomorrow.' }] }]) } },
    ],
    status: { code: 1 },
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) {
        const b = batches[next++];
        const body = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'queue-bench' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans: b.map(span) }] }] };
        await api('POST', '/v1/traces', body);
      }
    }),
  );
  return ids;
}

/** Creates `n` reviewers through the members API (with passwords) and signs each in. */
async function signInReviewers(url: string, api: Api, projectId: string, n: number): Promise<string[]> {
  const run = hex(4);
  const password = `bench-password-${run}`;
  const out: string[] = [];
  for (let i = 0; i < n; i += 10) {
    const chunk = Array.from({ length: Math.min(10, n - i) }, (_, j) => `reviewer-${run}-${i + j}@bench.local`);
    out.push(
      ...(await Promise.all(
        chunk.map(async (email) => {
          await api('POST', `/api/v1/projects/${projectId}/members`, { email, role: 'reviewer', password, name: email.split('@')[0] });
          return login(url, email, password);
        }),
      )),
    );
  }
  return out;
}

function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
