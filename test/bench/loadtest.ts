import { fromBinary, fromJson, toBinary } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { LOCAL_DEFAULTS } from '../../worker/cli/config';
import { startLocalServer } from '../../worker/cli/local-server';
import { benchBatch, type OtlpJsonRequest } from '../../worker/cli/synth';
import { ExportTraceServiceRequestSchema, ExportTraceServiceResponseSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { sum, traceSpanCounts } from './load';
import { createAdminKey } from './queue';

/**
 * Issue #9's load and fault test (`npm run loadtest [-- --faults]`): a private local server takes
 * sustained OTLP/protobuf ingest from several senders that retry like OTel exporters, while readers
 * page the explorer and open traces, and reviewers claim and submit on a two-reviewer queue (a few
 * of them walk away from a claim, so its lease must expire and the item go to someone else).
 * Afterwards every acknowledged span must be readable through the API. With `--faults` the API
 * Worker runs with SIEVE_FAULTS (D1/R2/Queue/DO calls fail at a rate) and the server is killed and
 * restarted on the same state mid-run. Exits 1 when an acknowledged span or review is missing.
 */

export interface LoadTestOptions {
  seconds: number;
  /** SIEVE_FAULTS for the API Worker, or null for a clean run. */
  faults: string | null;
  /** INGEST_MODE=queued: spans are acknowledged once queued and verified after the consumer caught up. */
  queued: boolean;
  restarts: number;
  senders: number;
  readers: number;
  reviewers: number;
  /** Traces checked span by span through `GET /traces/:id` besides the suspicious ones. */
  verifySample: number;
}

const DEFAULT_FAULTS = 'd1=0.05,r2=0.05,queue=0.05,do=0.02';
/** OTLP/HTTP: retry on these, with exponential backoff, honouring Retry-After; drop on any other error. */
const RETRYABLE = new Set([429, 502, 503, 504]);
/** Like the OTel Go exporter's default MaxElapsedTime: a batch is given up one minute after its first try. */
const RETRY_MAX_ELAPSED_MS = 60_000;
const LEASE_SECONDS = 30;
const WINDOW_MS = 30_000;

export function loadTestOptions(argv = process.argv.slice(2), env = process.env): LoadTestOptions {
  const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string, envName: string, fallback: number) => Number(arg(name) ?? env[envName] ?? fallback);
  const seconds = num('seconds', 'LOADTEST_SECONDS', 300);
  const faultsOn = argv.includes('--faults') || env.LOADTEST_FAULTS === '1';
  const queued = argv.includes('--queued') || env.LOADTEST_QUEUED === '1';
  // Miniflare keeps its Queue in memory, so a restart would drop queued batches that Cloudflare's Queue keeps:
  // with --queued the fault run injects failures but does not restart unless asked to.
  const defaultRestarts = faultsOn && !queued ? Math.max(1, Math.floor(seconds / 150)) : 0;
  return {
    seconds,
    faults: faultsOn ? (arg('fault-rates') ?? env.LOADTEST_FAULT_RATES ?? DEFAULT_FAULTS) : null,
    queued,
    restarts: faultsOn ? num('restarts', 'LOADTEST_RESTARTS', defaultRestarts) : 0,
    senders: num('senders', 'LOADTEST_SENDERS', 8),
    readers: num('readers', 'LOADTEST_READERS', 2),
    reviewers: num('reviewers', 'LOADTEST_REVIEWERS', 4),
    verifySample: num('verify-sample', 'LOADTEST_VERIFY_SAMPLE', 2000),
  };
}

// ---------------------------------------------------------------- measurements

type Kind = 'ingest' | 'read' | 'review';
type Status = number | 'conn' | 'timeout';

class Recorder {
  readonly start = performance.now();
  readonly samples: { kind: Kind; at: number; ms: number }[] = [];
  readonly statuses: Record<Kind, Map<Status, number>> = { ingest: new Map(), read: new Map(), review: new Map() };
  record(kind: Kind, t0: number, status: Status): void {
    this.samples.push({ kind, at: t0 - this.start, ms: performance.now() - t0 });
    this.statuses[kind].set(status, (this.statuses[kind].get(status) ?? 0) + 1);
  }
  elapsed(): number {
    return performance.now() - this.start;
  }
}

/** One HTTP exchange, timed and counted; network failures become 'conn' or 'timeout' instead of throwing. */
async function exchange(rec: Recorder | null, kind: Kind, url: string, init: RequestInit = {}): Promise<{ status: Status; res?: Response; body?: ArrayBuffer }> {
  const t0 = performance.now();
  let out: { status: Status; res?: Response; body?: ArrayBuffer };
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    out = { status: res.status, res, body: await res.arrayBuffer() };
  } catch (err) {
    out = { status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'conn' };
  }
  rec?.record(kind, t0, out.status);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const transient = (s: Status) => typeof s !== 'number' || s >= 500 || s === 429;
const json = (body?: ArrayBuffer) => JSON.parse(new TextDecoder().decode(body)) as any;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function pct(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---------------------------------------------------------------- ingest

/** Which spans were sent, and which of them a 200 without rejections acknowledged, per trace. */
class SpanLedger {
  readonly traces = new Map<string, { acked: string[]; unconfirmed: number }>();
  private entry(traceId: string) {
    let e = this.traces.get(traceId);
    if (!e) this.traces.set(traceId, (e = { acked: [], unconfirmed: 0 }));
    return e;
  }
  sent(ids: [string, string][]): void {
    for (const [t] of ids) this.entry(t).unconfirmed++;
  }
  acked(ids: [string, string][]): void {
    for (const [t, s] of ids) {
      const e = this.entry(t);
      e.unconfirmed--;
      e.acked.push(s);
    }
  }
  ackedTraceIds(): string[] {
    return [...this.traces].filter(([, e]) => e.acked.length).map(([t]) => t);
  }
  get ackedSpans(): number {
    let n = 0;
    for (const e of this.traces.values()) n += e.acked.length;
    return n;
  }
}

interface IngestStats {
  batches: number;
  delivered: number;
  retriedThenDelivered: number;
  maxAttempts: number;
  partial: number;
  dropped: Map<Status, number>;
  deliveryMs: number[];
}

function spanIds(req: OtlpJsonRequest): [string, string][] {
  return req.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => [s.traceId, s.spanId] as [string, string])));
}

function toProtobuf(req: OtlpJsonRequest): Uint8Array<ArrayBuffer> {
  const copy = { resourceSpans: req.resourceSpans.map((rs) => ({ ...rs, scopeSpans: rs.scopeSpans.map((ss) => ({ ...ss, spans: ss.spans.map((s) => hexIdsToBase64({ ...s })) })) })) };
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, copy as never)) as Uint8Array<ArrayBuffer>;
}

/** Splits a request in two: each trace's first half of spans, and the rest (exporters batch by time, not by trace). */
function halves(req: OtlpJsonRequest): [OtlpJsonRequest, OtlpJsonRequest] {
  const part = (first: boolean): OtlpJsonRequest => ({
    resourceSpans: req.resourceSpans.map((rs) => ({
      ...rs,
      scopeSpans: rs.scopeSpans.map((ss) => {
        const seen = new Map<string, number>();
        const total = new Map<string, number>();
        for (const s of ss.spans) total.set(s.traceId, (total.get(s.traceId) ?? 0) + 1);
        return {
          ...ss,
          spans: ss.spans.filter((s) => {
            const i = seen.get(s.traceId) ?? 0;
            seen.set(s.traceId, i + 1);
            return (i < Math.ceil(total.get(s.traceId)! / 2)) === first;
          }),
        };
      }),
    })),
  });
  return [part(true), part(false)];
}

const merge = (a: OtlpJsonRequest, b: OtlpJsonRequest): OtlpJsonRequest => ({ resourceSpans: [...a.resourceSpans, ...b.resourceSpans] });

interface Ctx {
  url: string;
  key: string;
  adminKey: string;
  deadline: number;
  rec: Recorder;
  ledger: SpanLedger;
  ingest: IngestStats;
}

/** Sends one batch until it is acknowledged, rejected for good, or its retry time runs out. */
async function deliver(ctx: Ctx, req: OtlpJsonRequest, rec: Recorder | null = ctx.rec): Promise<boolean> {
  const ids = spanIds(req);
  const body = toProtobuf(req);
  ctx.ledger.sent(ids);
  ctx.ingest.batches++;
  const first = performance.now();
  let backoff = 1000;
  for (let attempt = 1; ; attempt++) {
    const r = await exchange(rec, 'ingest', `${ctx.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/x-protobuf' },
      body,
    });
    if (r.status === 200) {
      const rejected = Number(fromBinary(ExportTraceServiceResponseSchema, new Uint8Array(r.body!)).partialSuccess?.rejectedSpans ?? 0n);
      if (rejected > 0) {
        ctx.ingest.partial++;
        return false;
      }
      ctx.ledger.acked(ids);
      ctx.ingest.delivered++;
      if (attempt > 1) ctx.ingest.retriedThenDelivered++;
      ctx.ingest.maxAttempts = Math.max(ctx.ingest.maxAttempts, attempt);
      ctx.ingest.deliveryMs.push(performance.now() - first);
      return true;
    }
    const retryable = typeof r.status !== 'number' || RETRYABLE.has(r.status);
    if (!retryable || performance.now() - first > RETRY_MAX_ELAPSED_MS) {
      ctx.ingest.dropped.set(r.status, (ctx.ingest.dropped.get(r.status) ?? 0) + 1);
      return false;
    }
    const retryAfter = Number(r.res?.headers.get('retry-after'));
    await sleep(retryAfter > 0 ? retryAfter * 1000 : backoff * (0.8 + Math.random() * 0.4));
    backoff = Math.min(backoff * 1.5, 5000);
  }
}

/** 50 spans a request: the second halves of the previous five traces and the first halves of five new ones. */
async function sender(ctx: Ctx, n: number): Promise<void> {
  let carry: OtlpJsonRequest | null = null;
  for (let k = 0; performance.now() < ctx.deadline; k++) {
    const [head, tail] = halves(benchBatch(1_000_000 * (n + 1) + k, 5, 10, Date.now() - 60_000));
    await deliver(ctx, carry ? merge(carry, head) : head);
    carry = tail;
  }
  if (carry) await deliver(ctx, carry);
}

// ---------------------------------------------------------------- readers and reviewers

const EXPLORER_FILTERS = ['', '&service=travel-agent', '&sort=duration', '&hasError=true', '&minDurationMs=1000'];

async function reader(ctx: Ctx, stats: { detail404: number }): Promise<void> {
  const auth = { authorization: `Bearer ${ctx.key}` };
  for (let i = 0; performance.now() < ctx.deadline; i++) {
    // Like a person in the UI, a reader waits a moment after an error instead of hammering.
    const list = await exchange(ctx.rec, 'read', `${ctx.url}/api/v1/traces?limit=50${EXPLORER_FILTERS[i % EXPLORER_FILTERS.length]}`, { headers: auth });
    if (transient(list.status)) await sleep(500);
    const acked = ctx.ledger.ackedTraceIds();
    if (!acked.length) continue;
    const traceId = acked[Math.floor(Math.random() * acked.length)];
    const r = await exchange(ctx.rec, 'read', `${ctx.url}/api/v1/traces/${traceId}`, { headers: auth });
    if (r.status === 404) stats.detail404++;
    if (transient(r.status)) await sleep(500);
  }
}

interface ReviewStats {
  claims: number;
  submits: number;
  /** Submits retried after an error that turned out to have landed (409 already_submitted). */
  convergedRetries: number;
  leaseLost: number;
  submitted: Set<string>;
  claimLog: { itemId: string; reviewer: string; at: number }[];
  abandoned: { itemId: string; reviewerId: string; expiresAt: number }[];
}

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: Status; body?: any }>;

function apiClient(ctx: Ctx, headers: Record<string, string>, kind: Kind | null): Api {
  return async (method, path, body) => {
    const r = await exchange(kind ? ctx.rec : null, kind ?? 'review', `${ctx.url}${path}`, {
      method,
      headers: { ...headers, origin: ctx.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = r.body ? new TextDecoder().decode(r.body) : '';
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Calls until the answer is not transient (5xx, 429, network), for setup and verification. */
async function steady(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const r = await api(method, path, body);
    if (typeof r.status === 'number' && r.status < 300) return r.body;
    if (!transient(r.status) || attempt >= 30) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    await sleep(Math.min(5000, 250 * attempt));
  }
}

/** Claims, reads for a moment, submits; a failed submit is retried until it lands or the lease is gone. */
async function reviewer(ctx: Ctx, api: Api, name: string, queueId: string, stats: ReviewStats): Promise<void> {
  while (performance.now() < ctx.deadline) {
    const c = await api('POST', `/api/v1/queues/${queueId}/claim`);
    if (c.status !== 200) {
      await sleep(500);
      continue;
    }
    stats.claims++;
    const item = c.body.item as { itemId: string; review: { reviewerId: string } } | null;
    if (!item) {
      await sleep(1000);
      continue;
    }
    stats.claimLog.push({ itemId: item.itemId, reviewer: name, at: Date.now() });
    await sleep(200 + Math.random() * 400);
    const values = Math.random() < 0.7 ? { verdict: 'pass' } : { verdict: 'fail', failure_modes: ['irrelevant'] };
    for (let attempt = 1; ; attempt++) {
      const s = await api('POST', `/api/v1/queues/${queueId}/items/${item.itemId}/submit`, { values });
      const code = s.body?.error?.code;
      if (s.status === 200 || (s.status === 409 && code === 'already_submitted' && attempt > 1)) {
        stats.submits++;
        if (s.status === 409) stats.convergedRetries++;
        stats.submitted.add(`${item.itemId}/${item.review.reviewerId}`);
        break;
      }
      if (s.status === 409) {
        stats.leaseLost++;
        break;
      }
      if (!transient(s.status) || attempt >= 20) throw new Error(`submit ${item.itemId}: ${s.status} ${JSON.stringify(s.body)}`);
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
}

/** Claims one item at `atMs` into the run and never comes back: the lease has to expire. */
async function abandoner(ctx: Ctx, api: Api, queueId: string, atMs: number, stats: ReviewStats): Promise<void> {
  await sleep(Math.max(0, atMs - ctx.rec.elapsed()));
  const c = await steady(api, 'POST', `/api/v1/queues/${queueId}/claim`);
  if (c.item) stats.abandoned.push({ itemId: c.item.itemId, reviewerId: c.item.review.reviewerId, expiresAt: Date.parse(c.item.leaseExpiresAt) });
}

async function signIn(ctx: Ctx, admin: Api, email: string, password: string): Promise<string> {
  // Reviewers join as people do: the admin invites them and they accept the invite with their own password.
  // Inviting again after a lost answer just makes a fresh invite link.
  let token = '';
  for (let attempt = 1; ; attempt++) {
    const r = await admin('POST', `/api/v1/projects/${LOCAL_DEFAULTS.projectId}/members`, { email, role: 'reviewer', name: email.split('@')[0] });
    if (typeof r.status === 'number' && r.status < 300) {
      const url = (r.body as { inviteUrl: string }).inviteUrl;
      token = url.slice(url.lastIndexOf('/') + 1);
      break;
    }
    if (!transient(r.status) || attempt >= 30) throw new Error(`invite member ${email}: ${r.status} ${JSON.stringify(r.body)}`);
    await sleep(500);
  }
  for (let attempt = 1; ; attempt++) {
    const r = await exchange(null, 'review', `${ctx.url}/api/v1/auth/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ctx.url },
      body: JSON.stringify({ token, name: email.split('@')[0], password }),
    });
    // After a lost answer the invite is already used: the sign-in below tells whether it took.
    if ((typeof r.status === 'number' && r.status < 300) || (attempt > 1 && !transient(r.status))) break;
    if (!transient(r.status) || attempt >= 30) throw new Error(`accept invite ${email}: ${r.status}`);
    await sleep(500);
  }
  for (let attempt = 1; ; attempt++) {
    const r = await exchange(null, 'review', `${ctx.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ctx.url },
      body: JSON.stringify({ email, password }),
    });
    const cookie = r.res?.headers.getSetCookie().find((c) => c.startsWith('sieve_session='));
    if (r.status === 200 && cookie) return cookie.split(';')[0];
    if (!transient(r.status) || attempt >= 30) throw new Error(`login ${email}: ${r.status}`);
    await sleep(500);
  }
}

// ---------------------------------------------------------------- verification

interface Verdict {
  acked: number;
  stored: number;
  lost: number;
  lostSamples: string[];
  /** Traces read span by span: those a count cannot settle, and a random sample of the rest. */
  suspicious: number;
  sampled: number;
  /** Traces with more spans than were ever sent for them (would mean duplicates). */
  extra: number;
}

/**
 * Every acknowledged span, read back through the API: span counts of all traces from the trace
 * list, and the spans themselves (`GET /traces/:id`, which reads R2) for every trace whose count
 * cannot prove it (some of its spans unconfirmed, or its count differs) plus a random sample.
 */
async function verifySpans(ctx: Ctx, sample: number): Promise<Verdict> {
  const api = apiClient(ctx, { authorization: `Bearer ${ctx.key}` }, null);
  const counts = await traceSpanCounts((path) => steady(api, 'GET', path));

  const traces = [...ctx.ledger.traces].filter(([, e]) => e.acked.length);
  const provenByCount = ([t, e]: (typeof traces)[number]) => e.unconfirmed === 0 && counts.get(t) === e.acked.length;
  const suspicious = traces.filter((t) => !provenByCount(t)).map(([t]) => t);
  const sampled = traces.filter(provenByCount).map(([t]) => t).sort(() => Math.random() - 0.5).slice(0, sample);
  const stored = new Map<string, Set<string> | null>();
  const todo = [...suspicious, ...sampled];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let t = todo.pop(); t; t = todo.pop()) {
        const r = await api('GET', `/api/v1/traces/${t}`);
        if (r.status === 404) stored.set(t, null);
        else if (r.status === 200) stored.set(t, new Set((r.body.spans as { spanId: string }[]).map((s) => s.spanId)));
        else (todo.push(t), await sleep(500));
      }
    }),
  );
  const v: Verdict = { acked: 0, stored: 0, lost: 0, lostSamples: [], suspicious: suspicious.length, sampled: sampled.length, extra: 0 };
  for (const [traceId, e] of traces) {
    const spans = stored.get(traceId);
    // Not read span by span: its count equals its acknowledged spans and nothing else was sent for it.
    const found = spans === undefined ? e.acked.length : spans ? e.acked.filter((s) => spans.has(s)).length : 0;
    if ((counts.get(traceId) ?? 0) > e.acked.length + e.unconfirmed) v.extra++;
    v.acked += e.acked.length;
    v.stored += found;
    if (found < e.acked.length) {
      v.lost += e.acked.length - found;
      if (v.lostSamples.length < 5) v.lostSamples.push(`${traceId}: ${found}/${e.acked.length} acknowledged spans readable`);
    }
  }
  return v;
}

/**
 * Queued ingest: waits (up to 5 minutes) until the project holds as many spans as were acknowledged,
 * polling the trace list; returns the seconds waited. Verification then checks them span by span.
 */
async function waitForStored(ctx: Ctx, log: (s: string) => void): Promise<number> {
  const api = apiClient(ctx, { authorization: `Bearer ${ctx.key}` }, null);
  const acked = [...ctx.ledger.traces.values()].reduce((n, e) => n + e.acked.length, 0);
  const t0 = performance.now();
  for (;;) {
    const stored = sum(await traceSpanCounts((path) => steady(api, 'GET', path)));
    if (stored >= acked) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 300_000) {
      log(`queued ingest: ${stored}/${acked} acknowledged spans stored after 5 minutes; verifying anyway`);
      return (performance.now() - t0) / 1000;
    }
    await sleep(1000);
  }
}

/** Submissions acknowledged to reviewers vs annotations in D1 (the queue's export), once the outbox caught up. */
async function verifyReviews(ctx: Ctx, queueId: string, submitted: Set<string>): Promise<{ stored: number; missing: number }> {
  let result = { stored: 0, missing: submitted.size };
  for (let attempt = 0; attempt < 30 && result.missing > 0; attempt++) {
    if (attempt) await sleep(1000);
    const r = await exchange(null, 'review', `${ctx.url}/api/v1/queues/${queueId}/export`, { headers: { authorization: `Bearer ${ctx.adminKey}` } });
    if (r.status !== 200) continue;
    const lines = new TextDecoder().decode(r.body).split('\n').filter(Boolean);
    const inD1 = new Set(lines.map((l) => { const a = JSON.parse(l); return `${a.traceId}/${a.reviewerId}`; }));
    result = { stored: inD1.size, missing: [...submitted].filter((k) => !inD1.has(k)).length };
  }
  return result;
}

// ---------------------------------------------------------------- the run

/** Ingests `n` one-span traces for the review queue (acknowledged like any other batch). */
async function queueTraces(ctx: Ctx, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let k = 0; ids.length < n; k++) {
    const req = benchBatch(900_000_000 + k, Math.min(50, n - ids.length), 1, Date.now() - 3_600_000);
    // Setup must not fail on a dropped batch (a 500 under faults): send it again, as an operator would.
    for (let attempt = 1; !(await deliver(ctx, req, null)); attempt++) if (attempt >= 10) throw new Error('could not ingest the queue\'s traces');
    ids.push(...new Set(spanIds(req).map(([t]) => t)));
  }
  return ids;
}

function windowTable(rec: Recorder, seconds: number): string[] {
  const windows = Math.ceil((seconds * 1000) / WINDOW_MS - 1e-9);
  const f = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(0)).padStart(5);
  const rows = ['window      ingest req/s  p50   p95   p99 │ reads p50   p95   p99 │ review p50   p95   p99'];
  for (let w = 0; w < windows; w++) {
    const inWindow = (k: Kind) => rec.samples.filter((s) => s.kind === k && s.at >= w * WINDOW_MS && s.at < (w + 1) * WINDOW_MS).map((s) => s.ms);
    const [i, r, v] = [inWindow('ingest'), inWindow('read'), inWindow('review')];
    const span = Math.min(WINDOW_MS, seconds * 1000 - w * WINDOW_MS) / 1000;
    rows.push(
      `${String(w * 30).padStart(4)}–${String(Math.round(Math.min(seconds, (w + 1) * 30))).padEnd(4)} s ${(i.length / span).toFixed(1).padStart(10)} ${f(pct(i, 50))} ${f(pct(i, 95))} ${f(pct(i, 99))} │ ${f(pct(r, 50))} ${f(pct(r, 95))} ${f(pct(r, 99))} │ ${f(pct(v, 50))} ${f(pct(v, 95))} ${f(pct(v, 99))}`,
    );
  }
  return rows;
}

function statusLine(kind: Kind, m: Map<Status, number>): string {
  const total = [...m.values()].reduce((a, b) => a + b, 0);
  const errors = [...m].filter(([s]) => !(typeof s === 'number' && s < 400)).reduce((a, [, n]) => a + n, 0);
  const parts = [...m].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([s, n]) => `${s}: ${n} (${((100 * n) / total).toFixed(2)}%)`);
  return `${kind.padEnd(7)} ${String(total).padStart(7)} requests, errors ${((100 * errors) / Math.max(1, total)).toFixed(2)}%  ${parts.join('  ')}`;
}

export async function loadTest(o: LoadTestOptions): Promise<{ lost: number }> {
  const log = (s: string) => console.log(s);
  log(`load test: ${o.seconds} s, ${o.senders} senders, ${o.readers} readers, ${o.reviewers} reviewers${o.queued ? ', INGEST_MODE=queued' : ''}${o.faults ? `, faults ${o.faults}, ${o.restarts} restart(s)` : ''}`);
  // wrangler dev rebuilds and reloads when a watched source changes (others edit the tree): note when.
  const reloads: number[] = [];
  let runStart = Infinity;
  const onOutput = (text: string) => {
    if (text.includes('Reloading local server') && performance.now() > runStart) reloads.push((performance.now() - runStart) / 1000);
  };
  const apiVars = { ...(o.faults ? { SIEVE_FAULTS: o.faults } : {}), ...(o.queued ? { INGEST_MODE: 'queued' } : {}) };
  const server = await startLocalServer(log, { onOutput, ...(Object.keys(apiVars).length ? { apiVars } : {}) });
  try {
    const ctx: Ctx = {
      url: server.url,
      key: server.cfg.demoApiKey,
      adminKey: '',
      deadline: Infinity,
      rec: new Recorder(),
      ledger: new SpanLedger(),
      ingest: { batches: 0, delivered: 0, retriedThenDelivered: 0, maxAttempts: 0, partial: 0, dropped: new Map(), deliveryMs: [] },
    };
    // Setup (not measured): keys, reviewers, a two-reviewer queue with enough items for the run.
    for (let attempt = 1; !ctx.adminKey; attempt++) {
      ctx.adminKey = await createAdminKey(server.url, server.cfg).catch((err) => {
        if (attempt >= 20) throw err;
        return sleep(500).then(() => '');
      });
    }
    const admin = apiClient(ctx, { authorization: `Bearer ${ctx.adminKey}` }, null);
    const items = Math.max(200, Math.ceil(o.seconds * o.reviewers * 1.2));
    const traceIds = await queueTraces(ctx, items);
    if (o.queued) await waitForStored(ctx, log);
    const queue = await steady(admin, 'POST', '/api/v1/queues', { name: `loadtest ${new Date().toISOString()}`, reviewersPerItem: 2, leaseSeconds: LEASE_SECONDS });
    for (let i = 0; i < traceIds.length; i += 1000) await steady(admin, 'POST', `/api/v1/queues/${queue.id}/items`, { traceIds: traceIds.slice(i, i + 1000) });
    const run = hex(4);
    const password = `loadtest-password-${run}`;
    const abandons = o.seconds >= 50 ? Math.max(2, o.reviewers) : 0;
    const cookies: string[] = [];
    for (let i = 0; i < o.reviewers + abandons; i++) cookies.push(await signIn(ctx, admin, `reviewer-${run}-${i}@loadtest.local`, password));
    log(`setup: ${items} queue items, ${o.reviewers} reviewers + ${abandons} who abandon a claim (lease ${LEASE_SECONDS} s)`);

    const rec = (ctx.rec = new Recorder());
    runStart = rec.start;
    ctx.deadline = rec.start + o.seconds * 1000;
    const reviews: ReviewStats = { claims: 0, submits: 0, convergedRetries: 0, leaseLost: 0, submitted: new Set(), claimLog: [], abandoned: [] };
    const reads = { detail404: 0 };
    const restarts: { atS: number; downMs: number }[] = [];
    const chaos = async () => {
      for (let i = 1; i <= o.restarts; i++) {
        await sleep(Math.max(0, (o.seconds * 1000 * i) / (o.restarts + 1) - rec.elapsed()));
        const atS = rec.elapsed() / 1000;
        log(`restart ${i}: killing wrangler dev at ${atS.toFixed(0)} s`);
        const downMs = await server.restart('SIGKILL');
        log(`restart ${i}: healthy again after ${(downMs / 1000).toFixed(1)} s`);
        restarts.push({ atS, downMs });
      }
    };
    // Abandons fall early enough that the lease expires and the item is claimed again within the run.
    const abandonWindow = Math.max(0, o.seconds * 1000 - (LEASE_SECONDS + 20) * 1000);
    await Promise.all([
      ...Array.from({ length: o.senders }, (_, n) => sender(ctx, n)),
      ...Array.from({ length: o.readers }, () => reader(ctx, reads)),
      ...cookies.slice(0, o.reviewers).map((cookie, n) => reviewer(ctx, apiClient(ctx, { cookie }, 'review'), `r${n}`, queue.id, reviews)),
      ...cookies.slice(o.reviewers).map((cookie, n) => abandoner(ctx, apiClient(ctx, { cookie }, 'review'), queue.id, 5000 + (abandonWindow * n) / abandons, reviews)),
      chaos(),
    ]);
    const runSeconds = rec.elapsed() / 1000;
    log(`load done after ${runSeconds.toFixed(1)} s (senders flush their last batch after the deadline); verifying …`);

    const t0 = performance.now();
    if (o.queued) log(`queued ingest: every acknowledged span readable ${(await waitForStored(ctx, log)).toFixed(1)} s after the load ended`);
    const v = await verifySpans(ctx, o.verifySample);
    const r = await verifyReviews(ctx, queue.id, reviews.submitted);
    const progress = await steady(admin, 'GET', `/api/v1/queues/${queue.id}/progress`);
    const claimsAfterExpiry = reviews.abandoned.filter((a) => reviews.claimLog.some((c) => c.itemId === a.itemId && c.at >= a.expiresAt));
    const abandonedBy = new Set(reviews.abandoned.map((a) => a.reviewerId));
    const stillHeld = (progress.reviewers as { reviewerId: string; leased: number }[]).filter((p) => abandonedBy.has(p.reviewerId) && p.leased > 0);
    const verifySeconds = (performance.now() - t0) / 1000;

    const ing = ctx.ingest;
    const dropped = [...ing.dropped].map(([s, n]) => `${s}: ${n}`).join(', ') || 'none';
    log(`\n== load test (issue #9)${o.queued ? ', INGEST_MODE=queued' : ''}${o.faults ? ` with faults: SIEVE_FAULTS=${o.faults}, ${restarts.length} kill -9 + restart(s)` : ''} ==`);
    log(`${o.seconds} s of load: ${o.senders} OTLP senders (protobuf, 50 spans/request, traces split across requests), ${o.readers} explorer readers, ${o.reviewers} reviewers`);
    for (const x of restarts) log(`restart at ${x.atS.toFixed(0)} s: server answering again after ${(x.downMs / 1000).toFixed(1)} s`);
    if (reloads.length) log(`wrangler reloaded the Worker (a source file changed) at ${reloads.map((s) => `${s.toFixed(0)} s`).join(', ')}: requests stall meanwhile`);
    log(`\nlatency per 30 s window (ms, each HTTP attempt; time past ${o.seconds} s is the senders' last retries and flush):`);
    for (const row of windowTable(rec, runSeconds)) log(row);
    log(`\nstatuses by kind (conn = connection refused/reset):`);
    for (const k of ['ingest', 'read', 'review'] as Kind[]) log(statusLine(k, rec.statuses[k]));
    log(`\ningest batches: ${ing.batches} sent, ${ing.delivered} acknowledged (${ing.retriedThenDelivered} after retries, max ${ing.maxAttempts} attempts), partial rejections ${ing.partial}, dropped by the sender: ${dropped}`);
    log(`delivery time incl. retries: p50 ${pct(ing.deliveryMs, 50).toFixed(0)} ms, p99 ${pct(ing.deliveryMs, 99).toFixed(0)} ms, max ${pct(ing.deliveryMs, 100).toFixed(0)} ms`);
    log(`throughput: ${(v.acked / runSeconds).toFixed(0)} acknowledged spans/s`);
    log(`reads: trace detail 404 for an acknowledged trace: ${reads.detail404}${o.queued ? ' (queued ingest: read before the consumer stored it; not a loss)' : ''}`);
    log(`reviewers: ${reviews.claims} claims, ${reviews.submits} submits (${reviews.convergedRetries} retried submits had landed), ${reviews.leaseLost} lost leases; queue ${progress.done}/${progress.total} items done`);
    log(`reviews acknowledged ${reviews.submitted.size}, in D1 (export) ${r.stored}, missing ${r.missing}`);
    log(`abandoned claims: ${reviews.abandoned.length}, claimed by another reviewer after the lease expired: ${claimsAfterExpiry.length}, still held at the end: ${stillHeld.length}`);
    log(`verification (${verifySeconds.toFixed(1)} s, through the API): counts of all ${ctx.ledger.ackedTraceIds().length} traces from the trace list; spans read one by one for ${v.suspicious} traces a count could not settle + a sample of ${v.sampled}`);
    if (v.extra) log(`traces with more spans than sent: ${v.extra}`);
    for (const s of v.lostSamples) log(`  missing: ${s}`);
    // Queued ingest answers before the consumer stores the spans, so a reader can be early: a 404 then is no loss.
    const ok = v.lost === 0 && r.missing === 0 && (o.queued || reads.detail404 === 0) && stillHeld.length === 0;
    log(`\nVERDICT: ${ok ? 'PASS' : 'FAIL'} — spans acknowledged ${v.acked}, stored ${v.stored}, lost ${v.lost}; reviews acknowledged ${reviews.submitted.size}, missing ${r.missing}; expired leases recovered ${claimsAfterExpiry.length}/${reviews.abandoned.length}`);
    return { lost: v.lost + r.missing };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { lost } = await loadTest(loadTestOptions());
  process.exit(lost > 0 ? 1 : 0);
}
