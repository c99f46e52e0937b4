import { beforeAll, describe, expect, it } from 'vitest';
import { call, dattr, getJson, hex, iattr, llmSpan, makeProject, otlpJson, postOtlp, sattr, type JsonSpanInput } from '../helpers';

/**
 * The trace explorer (`GET /api/v1/traces`) over a fixture of 12 traces whose every filterable
 * property is chosen by hand; each test names exactly the traces it expects, in order.
 */

interface TraceSpec {
  svc: string;
  env: 'prod' | 'staging';
  model: string;
  pv?: string;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: 0 | 1 | 2;
  retries: number;
  dur: number;
  inTok: number;
  outTok: number;
  cost?: number;
  tags: string[];
  session?: string;
  user?: string;
  input: string;
  output: string;
}

// `local-llama` has no price, so t04 and t10 have no cost. t01 and t12 tie on duration and tokens.
const FIXTURE: Record<string, TraceSpec> = {
  t01: { svc: 'chat', env: 'prod', model: 'gpt-4o', pv: 'v1', status: 1, retries: 0, dur: 1200, inTok: 100, outTok: 20, cost: 0.01, tags: ['beta'], session: 's-1', user: 'u-1', input: 'How do refunds work?', output: 'Refunds within 30 days.' },
  t02: { svc: 'chat', env: 'prod', model: 'gpt-4o-mini', pv: 'v2', status: 2, retries: 0, dur: 300, inTok: 50, outTok: 10, cost: 0.002, tags: [], session: 's-1', user: 'u-2', input: 'Where is my parcel?', output: 'It ships tomorrow.' },
  t03: { svc: 'rag', env: 'staging', model: 'claude-sonnet-4', pv: 'v2', status: 1, retries: 1, dur: 4500, inTok: 2000, outTok: 500, cost: 0.05, tags: ['beta', 'vip'], session: 's-2', user: 'u-1', input: 'Summarize the warranty', output: 'The warranty lasts two years.' },
  t04: { svc: 'rag', env: 'prod', model: 'local-llama', status: 1, retries: 0, dur: 800, inTok: 300, outTok: 30, tags: ['vip'], user: 'u-3', input: 'Translate to French', output: 'Bonjour' },
  t05: { svc: 'agent', env: 'prod', model: 'gpt-4o', pv: 'v1', status: 2, retries: 2, dur: 9000, inTok: 5000, outTok: 1000, cost: 0.2, tags: [], session: 's-3', user: 'u-2', input: 'Book a flight', output: 'I could not book the flight.' },
  t06: { svc: 'chat', env: 'staging', model: 'gpt-4o-mini', pv: 'v3', status: 0, retries: 0, dur: 150, inTok: 10, outTok: 5, cost: 0.0001, tags: [], input: 'hi', output: 'Hello! How can I help?' },
  t07: { svc: 'chat', env: 'prod', model: 'gpt-4o', pv: 'v1', status: 1, retries: 0, dur: 2000, inTok: 400, outTok: 100, cost: 0.02, tags: ['beta'], session: 's-4', user: 'u-3', input: 'Cancel my REFUND request', output: 'Done.' },
  t08: { svc: 'agent', env: 'staging', model: 'claude-sonnet-4', pv: 'v3', status: 1, retries: 0, dur: 6000, inTok: 1500, outTok: 700, cost: 0.08, tags: [], session: 's-3', user: 'u-1', input: 'Plan a trip', output: 'Here is your itinerary.' },
  t09: { svc: 'rag', env: 'prod', model: 'gpt-4o-mini', pv: 'v2', status: 1, retries: 0, dur: 700, inTok: 800, outTok: 80, cost: 0.005, tags: ['vip'], session: 's-5', user: 'u-4', input: 'What is covered?', output: 'Accidental damage is covered.' },
  t10: { svc: 'chat', env: 'prod', model: 'local-llama', status: 2, retries: 0, dur: 2500, inTok: 200, outTok: 0, tags: [], user: 'u-4', input: 'Reset password', output: 'Upstream timeout.' },
  t11: { svc: 'agent', env: 'prod', model: 'gpt-4o', pv: 'v2', status: 1, retries: 3, dur: 12000, inTok: 3000, outTok: 900, cost: 0.15, tags: ['beta'], session: 's-6', user: 'u-5', input: 'Compare plans', output: 'Plan B is cheaper.' },
  t12: { svc: 'rag', env: 'staging', model: 'gpt-4o-mini', pv: 'v1', status: 1, retries: 0, dur: 1200, inTok: 90, outTok: 30, cost: 0.003, tags: [], session: 's-2', user: 'u-5', input: 'Is the warranty transferable?', output: 'Yes, once.' },
};
const NAMES = Object.keys(FIXTURE);

// Fixed ids, so ties on a sort key break in a known order (t12's id is above t01's).
const traceIdOf = (name: string) => Number(name.slice(1)).toString(16).padStart(32, '0');
const spanIdOf = (name: string) => `a${Number(name.slice(1)).toString(16).padStart(15, '0')}`;
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000;
const startOf = (name: string) => T0 + Number(name.slice(1)) * 60_000;

function spansOf(name: string, s: TraceSpec): JsonSpanInput[] {
  const traceId = traceIdOf(name);
  const llm = llmSpan(traceId, undefined, { model: s.model, input: s.input, output: s.output, inTok: s.inTok, outTok: s.outTok });
  const attributes = [...llm.attributes!, sattr('tag.tags', JSON.stringify(s.tags))];
  if (s.cost !== undefined) attributes.push(dattr('sieve.cost_usd', s.cost));
  if (s.pv) attributes.push(sattr('prompt.version', s.pv));
  if (s.session) attributes.push(sattr('session.id', s.session));
  if (s.user) attributes.push(sattr('user.id', s.user));
  const root = { ...llm, spanId: spanIdOf(name), name, startMs: startOf(name), durationMs: s.dur, attributes, status: { code: s.status } };
  const retries = Array.from({ length: s.retries }, (_, i) => ({
    traceId, spanId: hex(8), parentSpanId: root.spanId, name: 'retry', startMs: startOf(name) + 10, durationMs: 5, attributes: [iattr('retry.attempt', i + 1)],
  }));
  return [root, ...retries];
}

async function ingestTrace(key: string, name: string, spec: TraceSpec): Promise<void> {
  const res = await postOtlp(otlpJson(spansOf(name, spec), [sattr('service.name', spec.svc), sattr('deployment.environment.name', spec.env)]), key);
  expect(res.status).toBe(200);
}

async function postSignals(key: string, kind: 'evaluations' | 'feedback', items: unknown[]): Promise<void> {
  const res = await call('POST', `/api/v1/${kind}`, { key }, { items });
  expect(res.body, res.text).toMatchObject({ rejected: 0 });
}

const EVALUATIONS = [
  { traceId: traceIdOf('t01'), name: 'faithfulness', score: 0.9, label: 'faithful' },
  { traceId: traceIdOf('t01'), name: 'tone', label: 'polite' },
  { traceId: traceIdOf('t02'), spanId: spanIdOf('t02'), name: 'faithfulness', score: 0.3, label: 'unfaithful' },
  { traceId: traceIdOf('t02'), name: 'faithfulness', score: 0.6, label: 'partial' },
  { traceId: traceIdOf('t03'), name: 'faithfulness', score: 0.55, label: 'partial' },
  { traceId: traceIdOf('t04'), name: 'tone', label: 'rude' },
  { traceId: traceIdOf('t05'), name: 'faithfulness', score: 0.1, label: 'unfaithful' },
  { traceId: traceIdOf('t06'), name: 'tone', label: 'polite' },
  { traceId: traceIdOf('t07'), name: 'faithfulness', score: 0.8, label: 'faithful' },
  { traceId: traceIdOf('t08'), name: 'tone', score: 0.7, label: 'polite' },
  { traceId: traceIdOf('t09'), name: 'faithfulness', label: 'unsure' },
  { traceId: traceIdOf('t11'), name: 'faithfulness', score: 0.5, label: 'partial' },
];

const FEEDBACK = [
  { traceId: traceIdOf('t01'), kind: 'thumbs', value: 'up', sentiment: 'positive' },
  { traceId: traceIdOf('t02'), kind: 'thumbs', value: 'down', sentiment: 'negative' },
  { traceId: traceIdOf('t03'), kind: 'rating', value: 4, scale: 5, sentiment: 'neutral' },
  { traceId: traceIdOf('t05'), kind: 'rating', value: 1, scale: 5 },
  { traceId: traceIdOf('t05'), kind: 'thumbs', value: 'down' },
  { traceId: traceIdOf('t08'), kind: 'thumbs', value: 'up' },
  { traceId: traceIdOf('t09'), kind: 'rating', value: 0.5 },
  { traceId: traceIdOf('t09'), kind: 'rating', value: 3, scale: 4 },
];

/** A fresh project holding the fixture, its evaluations and its feedback. */
async function seedFixture(): Promise<string> {
  const { key } = await makeProject();
  for (const [name, spec] of Object.entries(FIXTURE)) await ingestTrace(key, name, spec);
  await postSignals(key, 'evaluations', EVALUATIONS);
  await postSignals(key, 'feedback', FEEDBACK);
  return key;
}

const listPage = (key: string, query: string) => getJson(`/api/v1/traces?${query}`, { key });

async function names(key: string, query: string): Promise<string[]> {
  const res = await listPage(key, `${query}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((t: { name: string }) => t.name);
}

/** Every page of a listing, `limit` rows at a time, checking each page's size and the last cursor. */
async function walk(key: string, query: string, limit = 2, cursor: string | null = null): Promise<string[]> {
  const seen: string[] = [];
  for (let page = 0; page < 50; page++) {
    const res = await listPage(key, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.data.map((t: { name: string }) => t.name));
    cursor = res.body.nextCursor;
    if (!cursor) return seen;
    expect(res.body.data.length).toBe(limit);
  }
  throw new Error(`paging of ${query} did not end`);
}

const newestFirst = (...list: string[]) => [...list].sort().reverse();

const SORTED_DESC: Record<string, string[]> = {
  'sort=time': newestFirst(...NAMES),
  'sort=duration': ['t11', 't05', 't08', 't03', 't10', 't07', 't12', 't01', 't04', 't09', 't02', 't06'],
  'sort=tokens': ['t05', 't11', 't03', 't08', 't09', 't07', 't04', 't10', 't12', 't01', 't02', 't06'],
  // Only traces with a known cost, and only traces with a score of the evaluator.
  'sort=cost': ['t05', 't11', 't08', 't03', 't07', 't01', 't09', 't12', 't02', 't06'],
  'sort=score&sortEval=faithfulness': ['t01', 't07', 't03', 't11', 't02', 't05'],
};

let key: string;
beforeAll(async () => {
  key = await seedFixture();
});

describe('GET /api/v1/traces filters', () => {
  const cases: [string, () => string, string[]][] = [
    ['no filter', () => '', newestFirst(...NAMES)],
    ['from/to (to exclusive)', () => `from=${startOf('t04')}&to=${startOf('t07')}`, ['t06', 't05', 't04']],
    ['from as ISO-8601', () => `from=${new Date(startOf('t10')).toISOString()}`, ['t12', 't11', 't10']],
    ['service', () => 'service=rag', ['t12', 't09', 't04', 't03']],
    ['environment', () => 'environment=staging', ['t12', 't08', 't06', 't03']],
    ['model (not its prefix gpt-4o-mini)', () => 'model=gpt-4o', ['t11', 't07', 't05', 't01']],
    ['promptVersion', () => 'promptVersion=v2', ['t11', 't09', 't03', 't02']],
    ['status=error', () => 'status=error', ['t10', 't05', 't02']],
    ['status=ok', () => 'status=ok', ['t12', 't11', 't09', 't08', 't07', 't04', 't03', 't01']],
    ['status=unset', () => 'status=unset', ['t06']],
    ['hasError=true', () => 'hasError=true', ['t10', 't05', 't02']],
    ['hasError=false', () => 'hasError=false', ['t12', 't11', 't09', 't08', 't07', 't06', 't04', 't03', 't01']],
    ['minRetries=1', () => 'minRetries=1', ['t11', 't05', 't03']],
    ['minRetries=2', () => 'minRetries=2', ['t11', 't05']],
    ['minRetries=3', () => 'minRetries=3', ['t11']],
    ['min/maxDurationMs (max exclusive)', () => 'minDurationMs=2000&maxDurationMs=9000', ['t10', 't08', 't07', 't03']],
    ['min/maxTokens (max exclusive)', () => 'minTokens=500&maxTokens=2500', ['t09', 't08', 't07']],
    ['min/maxCost (max exclusive)', () => 'minCost=0.01&maxCost=0.1', ['t08', 't07', 't03', 't01']],
    ['tag', () => 'tag=vip', ['t09', 't04', 't03']],
    ['another tag', () => 'tag=beta', ['t11', 't07', 't03', 't01']],
    ['sessionId', () => 'sessionId=s-1', ['t02', 't01']],
    ['userId', () => 'userId=u-1', ['t08', 't03', 't01']],
    ['text, any case, in input or output', () => 'text=refund', ['t07', 't01']],
    ['text in upper case', () => 'text=WARRANTY', ['t12', 't03']],
    ['eval lt (the lowest score of the trace counts)', () => 'eval=faithfulness:lt:0.5', ['t05', 't02']],
    ['eval gte (inclusive)', () => 'eval=faithfulness:gte:0.5', ['t11', 't07', 't03', 't01']],
    ['eval gte and lt together', () => 'eval=faithfulness:gte:0.5&eval=faithfulness:lt:0.85', ['t11', 't07', 't03']],
    ['eval label (any result of the evaluator)', () => 'eval=faithfulness:label:partial', ['t11', 't03', 't02']],
    ['eval label of another evaluator', () => 'eval=tone:label:polite', ['t08', 't06', 't01']],
    ['eval missing', () => 'eval=faithfulness:missing', ['t12', 't10', 't08', 't06', 't04']],
    ['eval present (a label alone counts)', () => 'eval=faithfulness:present', ['t11', 't09', 't07', 't05', 't03', 't02', 't01']],
    ['eval present and another missing', () => 'eval=tone:present&eval=faithfulness:missing', ['t08', 't06', 't04']],
    ['eval present in a time range', () => `eval=faithfulness:present&from=${startOf('t03')}&to=${startOf('t08')}`, ['t07', 't05', 't03']],
    ['feedback=up', () => 'feedback=up', ['t08', 't01']],
    ['feedback=down', () => 'feedback=down', ['t05', 't02']],
    ['feedback=positive', () => 'feedback=positive', ['t01']],
    ['feedback=negative', () => 'feedback=negative', ['t02']],
    ['feedback=neutral', () => 'feedback=neutral', ['t03']],
    ['minRating (normalized by scale)', () => 'minRating=0.6', ['t09', 't03']],
    ['maxRating (exclusive)', () => 'maxRating=0.5', ['t05']],
    ['minRating and maxRating', () => 'minRating=0.3&maxRating=0.6', ['t09']],
    ['feedback and maxRating', () => 'feedback=down&maxRating=0.5', ['t05']],
    ['service and hasError', () => 'service=chat&hasError=true', ['t10', 't02']],
    ['environment and eval', () => 'environment=prod&eval=faithfulness:lt:0.5', ['t05', 't02']],
    ['tag and feedback', () => 'tag=beta&feedback=up', ['t01']],
    ['model and minDurationMs', () => 'model=gpt-4o&minDurationMs=5000', ['t11', 't05']],
  ];
  for (const [label, query, expected] of cases) {
    it(`${label}: ${expected.join(', ') || 'nothing'}`, async () => {
      expect(await names(key, query())).toEqual(expected);
    });
  }
});

describe('GET /api/v1/traces sorting', () => {
  for (const [query, desc] of Object.entries(SORTED_DESC)) {
    it(`${query} in both orders`, async () => {
      expect(await names(key, `${query}&order=desc`)).toEqual(desc);
      expect(await names(key, `${query}&order=asc`)).toEqual([...desc].reverse());
    });
  }

  it('sorts filtered lists', async () => {
    expect(await names(key, 'sort=duration&service=rag')).toEqual(['t03', 't12', 't04', 't09']);
    expect(await names(key, 'sort=cost&order=asc&tag=vip')).toEqual(['t09', 't03']);
    expect(await names(key, 'sort=tokens&order=asc&eval=faithfulness:present')).toEqual(['t02', 't01', 't07', 't09', 't03', 't11', 't05']);
    expect(await names(key, 'sort=duration&eval=faithfulness:lt:0.5')).toEqual(['t05', 't02']);
  });

  it('sort=score orders by the first eval condition that needs a result, or sortEval', async () => {
    expect(await names(key, 'sort=score&order=asc&eval=faithfulness:lt:0.6')).toEqual(['t05', 't02', 't11', 't03']);
    expect(await names(key, 'sort=score&eval=faithfulness:missing&eval=tone:present')).toEqual(['t08']);
    expect(await names(key, 'sort=score&sortEval=tone')).toEqual(['t08']);
  });
});

describe('GET /api/v1/traces paging', () => {
  for (const [query, desc] of Object.entries(SORTED_DESC)) {
    for (const order of ['desc', 'asc'] as const) {
      it(`walks every page of ${query}&order=${order} two rows at a time`, async () => {
        expect(await walk(key, `${query}&order=${order}`)).toEqual(order === 'desc' ? desc : [...desc].reverse());
      });
    }
  }

  it('walks a filtered list page by page', async () => {
    expect(await walk(key, 'eval=faithfulness:present&sort=time', 3)).toEqual(['t11', 't09', 't07', 't05', 't03', 't02', 't01']);
    expect(await walk(key, 'hasError=false&sort=duration', 4)).toEqual(SORTED_DESC['sort=duration'].filter((n) => !['t02', 't05', 't10'].includes(n)));
  });

  it('keeps going from a cursor while newer traces and signals arrive', async () => {
    const own = await seedFixture();
    let n = 0;
    const arrive = async () => {
      n++;
      const name = `n${n}`;
      const traceId = hex(16);
      const spans = spansOf('t99', { ...FIXTURE.t11, dur: 20_000 + n, inTok: 9_000 + n, cost: 1 + n }).map((s) => ({ ...s, traceId, name: s.name === 't99' ? name : s.name, startMs: Date.now() - 60_000 + n }));
      expect((await postOtlp(otlpJson(spans, [sattr('service.name', 'late')]), own)).status).toBe(200);
      await postSignals(own, 'evaluations', [{ traceId, name: 'faithfulness', score: 0.99 }]);
      await postSignals(own, 'feedback', [{ traceId, kind: 'thumbs', value: 'down' }, { traceId: traceIdOf('t03'), kind: 'thumbs', value: 'up' }]);
    };
    for (const query of Object.keys(SORTED_DESC)) {
      const before = await names(own, query);
      const first = await listPage(own, `${query}&limit=3`);
      await arrive();
      const rest = await walk(own, query, 3, first.body.nextCursor);
      const seen = [...first.body.data.map((t: { name: string }) => t.name), ...rest];
      // Rows that existed keep their order, none is skipped or repeated; a newcomer may show up on a
      // later page only where it sorts after the cursor (ties on the sort key are broken by random ids).
      expect(seen.filter((x) => before.includes(x)), query).toEqual(before);
      expect(new Set(seen).size, query).toBe(seen.length);
    }
    const first = await listPage(own, 'order=asc&limit=5');
    await arrive();
    const rest = await walk(own, 'order=asc', 5, first.body.nextCursor);
    const all = [...first.body.data.map((t: { name: string }) => t.name), ...rest];
    expect(all).toEqual([...NAMES, ...Array.from({ length: n }, (_, i) => `n${i + 1}`)]);
  });
});

describe('GET /api/v1/traces rows and GET /api/v1/traces/:traceId', () => {
  it('carry the score and feedback summaries of each trace', async () => {
    const rows = (await listPage(key, 'limit=200')).body.data as any[];
    const row = (name: string) => rows.find((r) => r.name === name);
    expect(row('t02')).toMatchObject({
      evalCount: 2,
      scores: [{ name: 'faithfulness', score: 0.3, label: 'unfaithful' }],
      feedback: { count: 1, thumbsUp: 0, thumbsDown: 1, positive: 0, neutral: 0, negative: 1, minRating: null, maxRating: null },
    });
    expect(row('t01').scores).toEqual([{ name: 'faithfulness', score: 0.9, label: 'faithful' }, { name: 'tone', score: null, label: 'polite' }]);
    expect(row('t09')).toMatchObject({ scores: [{ name: 'faithfulness', score: null, label: 'unsure' }], feedback: { count: 2, minRating: 0.5, maxRating: 0.75 } });
    expect(row('t12')).toMatchObject({ evalCount: 0, scores: [], feedback: { count: 0 } });
    expect(row('t04')).toMatchObject({ costUsd: null, totalTokens: 330, retryCount: 0, tags: ['vip'], environment: 'prod', service: 'rag' });
    expect(row('t11')).toMatchObject({ retryCount: 3, durationMs: 12000, costUsd: 0.15, promptVersion: 'v2', sessionId: 's-6', userId: 'u-5' });
  });

  it('lists the evaluations and feedback of a trace', async () => {
    const { body } = await getJson(`/api/v1/traces/${traceIdOf('t02')}`, { key });
    expect(body.evaluations.map((e: any) => [e.name, e.spanId, e.score, e.label]).sort()).toEqual([
      ['faithfulness', null, 0.6, 'partial'],
      ['faithfulness', spanIdOf('t02'), 0.3, 'unfaithful'],
    ]);
    expect(body.feedback.map((f: any) => [f.kind, f.value, f.sentiment])).toEqual([['thumbs', 'down', 'negative']]);
  });

  it('answers malformed filters, cursors and sorts with 400', async () => {
    for (const query of ['eval=faithfulness:between:1', 'eval=faithfulness:lt:abc', 'eval=:present', 'cursor=not-a-cursor', 'sort=score', 'sort=random', 'limit=0', 'hasError=yes', 'feedback=meh', 'minRating=2', 'tag=a&tag=b', Array.from({ length: 6 }, (_, i) => `eval=e${i}:present`).join('&')]) {
      const res = await listPage(key, query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message.length, query).toBeGreaterThan(0);
    }
  });
});
