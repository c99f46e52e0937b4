/**
 * The rest of the quality loop for the demo project: a review queue, a golden dataset and two
 * automation rules that route to them, then a backfill so the queue and dataset fill at once.
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
}
