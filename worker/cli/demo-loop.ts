import { demoReviews, type JudgedTrace } from './demo-signals.ts';

/**
 * The rest of the quality loop for the demo project: a review queue, a golden dataset and two
 * automation rules that route to them, then a backfill so the queue and dataset fill at once; and a
 * queue two demo reviewers have labelled, so reviewer agreement has something to show.
 * Idempotent: things that exist (by name) are reused, and the match log makes re-routing a no-op.
 */

interface Session {
  url: string;
  cookie: string;
}

async function api<T = any>(s: Session, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { cookie: s.cookie, origin: s.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function signIn(url: string, email: string, password: string): Promise<Session> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`signing in as ${email} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return { url, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] };
}

async function findOrCreate(s: Session, list: string, name: string, body: Record<string, unknown>): Promise<{ id: string; created: boolean }> {
  const existing = (await api<{ data: { id: string; name: string }[] }>(s, 'GET', list)).data.find((x) => x.name === name);
  if (existing) return { id: existing.id, created: false };
  return { id: (await api<{ id: string }>(s, 'POST', list, { name, ...body })).id, created: true };
}

const GUIDELINES = `Judge the **final answer** against the retrieved context and the tool results.

- *Hallucinated reference*: the answer cites a policy section, flight or price that is not in the context.
- *Tone mismatch*: curt or dismissive answers.
- *Overly verbose*: more than three sentences where one would do.

When in doubt, mark **fail** and say why in the notes.`;

export async function seedLoop(opts: { url: string; email: string; password: string; days: number; log?: (s: string) => void }): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const s = await signIn(opts.url, opts.email, opts.password);
  const queue = await findOrCreate(s, '/api/v1/queues', 'Unfaithful answers', {
    description: 'Answers the LLM judge scored below 0.5 for faithfulness, and thumbs-down traces.',
    guidelines: GUIDELINES,
    reviewersPerItem: 2,
    leaseSeconds: 900,
  });
  const dataset = await findOrCreate(s, '/api/v1/datasets', 'Golden: unfaithful answers', {
    description: 'Production traces the judge flagged as unfaithful, for calibrating the judge and regression tests.',
  });
  const lowFaithfulness = await findOrCreate(s, '/api/v1/automations', 'Low faithfulness → review + dataset', {
    enabled: true,
    condition: { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }] },
    sampling: { rate: 1 },
    actions: [{ type: 'queue', queueId: queue.id }, { type: 'dataset', datasetId: dataset.id }],
  });
  const thumbsDown = await findOrCreate(s, '/api/v1/automations', 'Unhappy users → review (sampled)', {
    enabled: true,
    condition: { any: [{ feedback: { thumbs: 'down' } }, { feedback: { sentiment: 'negative' } }] },
    sampling: { strata: [{ when: { all: [{ feedback: { sentiment: 'negative' } }] }, rate: 1 }], otherwise: 0.5 },
    quota: { max: 200, per: 'day' },
    actions: [{ type: 'queue', queueId: queue.id }],
  });
  const now = Date.now();
  for (const rule of [lowFaithfulness, thumbsDown]) {
    await api(s, 'POST', `/api/v1/automations/${rule.id}/backfills`, { from: now - (opts.days + 1) * 86_400_000, to: now + 60_000 });
  }
  log(`queue "Unfaithful answers", dataset "Golden: unfaithful answers" and 2 rules ready; backfills started`);
  await seedDoubleReview(s, opts.password, log);
}

const DOUBLE_REVIEW = 'Double review: support answers';
const DOUBLE_REVIEW_ITEMS = 60;
const DEMO_REVIEWERS = [
  { email: 'priya@sieve.local', name: 'Priya Raman' },
  { email: 'marco@sieve.local', name: 'Marco Rossi' },
];

/** `n` items at evenly spaced positions of `list` (all of it when shorter). */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

/**
 * Two demo reviewers (who sign in with the admin's password) label 60 judged traces in a queue with
 * two reviews per item, partly disagreeing, and the admin adjudicates one verdict they split on.
 */
async function seedDoubleReview(s: Session, password: string, log: (s: string) => void): Promise<void> {
  const me = await api<{ currentProjectId: string | null }>(s, 'GET', '/api/v1/me');
  const queues = await api<{ data: { name: string }[] }>(s, 'GET', '/api/v1/queues?status=all');
  if (!me.currentProjectId || queues.data.some((q) => q.name === DOUBLE_REVIEW)) return;
  const people: Session[] = [];
  for (const r of DEMO_REVIEWERS) {
    const res = await fetch(`${s.url}/api/v1/projects/${encodeURIComponent(me.currentProjectId)}/members`, {
      method: 'POST',
      headers: { cookie: s.cookie, origin: s.url, 'content-type': 'application/json' },
      body: JSON.stringify({ ...r, role: 'reviewer' }),
    });
    // 409: a member already (an earlier run); they sign in with the same password.
    if (!res.ok && res.status !== 409) throw new Error(`inviting demo reviewer ${r.email} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    if (res.ok) {
      // The demo reviewer accepts their invite and chooses a password, as a person would.
      const { inviteUrl } = (await res.json()) as { inviteUrl: string };
      const accepted = await fetch(`${s.url}/api/v1/auth/invites/accept`, {
        method: 'POST',
        headers: { origin: s.url, 'content-type': 'application/json' },
        body: JSON.stringify({ token: inviteUrl.slice(inviteUrl.lastIndexOf('/') + 1), name: r.name, password }),
      });
      if (!accepted.ok) throw new Error(`accepting the invite of ${r.email} answered ${accepted.status}: ${(await accepted.text()).slice(0, 200)}`);
    }
    people.push(await signIn(s.url, r.email, password));
  }
  const listed = await api<{ data: JudgedTrace[] }>(s, 'GET', '/api/v1/traces?eval=tone:present&limit=200');
  const planned = demoReviews(listed.data, 8);
  // About four in ten failing, as a queue fed by a judge and by unhappy users would be.
  // Picked evenly across the demo's weeks (the list is newest first), so failure trends have every week.
  const failing = spread(planned.filter((p) => p.truth.verdict === 'fail'), Math.round(DOUBLE_REVIEW_ITEMS * 0.4));
  const chosen = [...failing, ...spread(planned.filter((p) => p.truth.verdict === 'pass'), DOUBLE_REVIEW_ITEMS - failing.length)];
  if (chosen.length < 2) return log('too few judged traces for the double-review queue; skipped');

  const queue = await api<{ id: string }>(s, 'POST', '/api/v1/queues', {
    name: DOUBLE_REVIEW,
    description: 'Judged support answers, each labelled by two reviewers, to check the failure modes are applied the same way.',
    guidelines: GUIDELINES,
    reviewersPerItem: 2,
  });
  await api(s, 'POST', `/api/v1/queues/${queue.id}/items`, { traceIds: chosen.map((c) => c.traceId) });
  await pool(chosen.flatMap((c) => c.reviews.map((values, i) => ({ traceId: c.traceId, who: people[i], values }))), 8, async ({ traceId, who, values }) => {
    const { notes, ...labels } = values;
    await api(who, 'POST', `/api/v1/queues/${queue.id}/items/${traceId}/submit`, { values: labels, notes });
  });
  const split = chosen.find((c) => c.reviews[0].verdict !== c.reviews[1].verdict);
  if (split) {
    await api(s, 'PUT', `/api/v1/queues/${queue.id}/items/${split.traceId}/adjudication`, {
      values: split.truth,
      notes: 'Final call after reading the retrieved context and the tool results.',
    });
  }
  log(`queue "${DOUBLE_REVIEW}": ${chosen.length} items labelled by ${DEMO_REVIEWERS.map((r) => r.name).join(' and ')}${split ? ', one adjudicated' : ''}`);
}
