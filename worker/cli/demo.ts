import { localConfig } from './config.ts';
import { demoSignals } from './demo-signals.ts';
import { generateDemo, type OtlpJsonRequest } from './synth.ts';

/**
 * `npm run demo [-- --count N --days D --seed S]`: sends generated LLM-app traces to a running
 * Sieve through its real OTLP/HTTP endpoint, exactly as an instrumented app would.
 * SIEVE_URL (default http://127.0.0.1:$PORT) and SIEVE_DEMO_API_KEY pick the target.
 */

export interface DemoOptions {
  url: string;
  key: string;
  count: number;
  days: number;
  /** Defaults to one derived from the clock, so repeated runs don't resend the same trace ids. */
  seed?: number;
  log?: (s: string) => void;
}

/** A failure the user can act on; the CLI prints its message without a stack. */
export class DemoError extends Error {}

const DAY_MS = 86_400_000;
/** Four weeks: enough for failure trends to show weekly buckets and a prompt rollout on a first start. */
export const DEMO_DAYS = 28;
const MAX_TRIES = 5;
const MAX_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds or as an HTTP date; exponential backoff when it is missing. */
function retryDelayMs(header: string | null, attempt: number): number {
  const seconds = Number(header);
  if (header && Number.isFinite(seconds)) return Math.min(MAX_WAIT_MS, Math.max(0, seconds * 1000));
  const date = header ? Date.parse(header) : NaN;
  if (Number.isFinite(date)) return Math.min(MAX_WAIT_MS, Math.max(0, date - Date.now()));
  return Math.min(MAX_WAIT_MS, 500 * 2 ** attempt);
}

function countOf(request: OtlpJsonRequest): { traces: number; spans: number } {
  const spans = request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
  return { traces: new Set(spans.map((s) => s.traceId)).size, spans: spans.length };
}

/** POSTs JSON to Sieve with the demo key, retrying 429/503 as Retry-After says; resolves with the reply. */
async function send(url: string, key: string, path: string, body: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DemoError(`Cannot reach Sieve at ${url} (${cause?.code ?? cause?.message ?? String(err)}). Is it running? Start it with \`npm start\`.`);
    }
    if (res.ok) return res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403) {
      throw new DemoError(
        `Sieve at ${url} refused the API key (${res.status}). Set SIEVE_DEMO_API_KEY to a key with the ingest scope for your project.`,
      );
    }
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    if ((res.status === 429 || res.status === 503) && attempt < MAX_TRIES) {
      await sleep(retryDelayMs(res.headers.get('retry-after'), attempt));
      continue;
    }
    throw new DemoError(`Sieve answered ${res.status} to POST ${path}${attempt > 1 ? ` after ${attempt} tries` : ''}: ${detail}`);
  }
}

/** POSTs one export request; returns how many spans the server rejected (OTLP partial success). */
async function post(url: string, key: string, body: string, log: (s: string) => void): Promise<number> {
  const reply = (await send(url, key, '/v1/traces', body)) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
  const rejected = Number(reply.partialSuccess?.rejectedSpans ?? 0);
  if (rejected > 0) log(`server rejected ${rejected} spans: ${reply.partialSuccess?.errorMessage ?? 'no reason given'}\n`);
  return rejected;
}

/** POSTs a batch of evaluations or feedback; a rejected item is reported, never fatal. */
async function postSignals(url: string, key: string, path: 'evaluations' | 'feedback', items: unknown[]): Promise<void> {
  const reply = (await send(url, key, `/api/v1/${path}`, JSON.stringify({ items }))) as { rejected?: number; results?: { status: string; error?: { message: string } }[] };
  if (reply.rejected) {
    const first = reply.results?.find((r) => r.status === 'rejected');
    console.warn(`\n${reply.rejected} ${path} rejected: ${first?.error?.message ?? 'no reason given'}`);
  }
}

/**
 * Generates `count` traces spread over the last `days` days and sends them in order, reporting
 * progress through `log` ("sent 120/300 traces"). Resolves with what the server accepted.
 */
export async function sendDemo(opts: DemoOptions): Promise<{ traces: number; spans: number; evaluations: number; feedback: number }> {
  const url = opts.url.replace(/\/+$/, '');
  const log = opts.log ?? (() => undefined);
  const endMs = Date.now();
  const seed = opts.seed ?? endMs % 2 ** 32;
  const { requests, traces: generated } = generateDemo({ count: opts.count, seed, startMs: endMs - opts.days * DAY_MS, endMs });
  let traces = 0;
  let spans = 0;
  for (const request of requests) {
    const n = countOf(request);
    const rejected = await post(url, opts.key, JSON.stringify(request), log);
    traces += n.traces;
    spans += n.spans - rejected;
    log(`sent ${traces}/${opts.count} traces`);
  }
  // One extra trace with a (fake) card number and API key in its prompt, to show redaction at ingest.
  await post(url, opts.key, JSON.stringify((await import('./demo-redaction.ts')).redactionDemoRequest(endMs)), log);
  const signals = demoSignals(generated, seed);
  for (const [path, items] of [['evaluations', signals.evaluations], ['feedback', signals.feedback]] as const) {
    for (let i = 0; i < items.length; i += 500) {
      await postSignals(url, opts.key, path, items.slice(i, i + 500));
      log(`sent ${Math.min(items.length, i + 500)}/${items.length} ${path}`);
    }
  }
  await waitUntilStored(url, opts.key, new Set(generated.map((t) => t.traceId)), Math.min(...generated.map((t) => t.startMs)), log);
  return { traces, spans, evaluations: signals.evaluations.length, feedback: signals.feedback.length };
}

/**
 * A server with `INGEST_MODE=queued` (a deployed one) stores traces a moment after it acknowledged them;
 * the queues and rules the demo sets up next need them. Waits (at most 2 minutes) until every sent trace is listed.
 */
async function waitUntilStored(url: string, key: string, sent: Set<string>, fromMs: number, log: (s: string) => void): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const query = `limit=200&from=${encodeURIComponent(new Date(fromMs).toISOString())}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await fetch(`${url}/api/v1/traces?${query}`, { headers: { authorization: `Bearer ${key}` } });
      if (!res.ok) return; // a key without read access: nothing to wait on
      const page = (await res.json()) as { data: { traceId: string }[]; nextCursor: string | null };
      for (const t of page.data) if (sent.has(t.traceId)) seen.add(t.traceId);
      cursor = seen.size < sent.size ? page.nextCursor : null;
    } while (cursor);
    if (seen.size >= sent.size || Date.now() > deadline) return;
    log(`waiting for the server to store the traces: ${seen.size}/${sent.size}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}

function positive(value: string | undefined, fallback: number, name: string, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new DemoError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, not "${value}".`);
  }
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: npm run demo -- [--count N (300)] [--days D (28)] [--seed S] [--no-loop]\nenv: SIEVE_URL, PORT, SIEVE_DEMO_API_KEY, SIEVE_ADMIN_EMAIL, SIEVE_ADMIN_PASSWORD');
    return;
  }
  const cfg = localConfig();
  const count = positive(option(args, 'count') ?? process.env.SIEVE_DEMO_COUNT, 300, 'count', true);
  const days = positive(option(args, 'days') ?? process.env.SIEVE_DEMO_DAYS, DEMO_DAYS, 'days', false);
  const seedArg = option(args, 'seed');
  const seed = seedArg === undefined ? undefined : positive(seedArg, 1, 'seed', true);
  const url = process.env.SIEVE_URL ?? `http://127.0.0.1:${cfg.port}`;
  console.log(`sending ${count} demo traces over the last ${days} days to ${url}/v1/traces`);
  const sent = await sendDemo({ url, key: cfg.demoApiKey, count, days, seed, log: (s) => process.stdout.write(`\r${s}`) });
  if (!args.includes('--no-loop')) {
    const { seedLoop } = await import('./demo-loop.ts');
    await seedLoop({ url, email: cfg.adminEmail, password: cfg.adminPassword, days, log: (s) => console.log(`\n${s}`) });
  }
  console.log(`\ndone: ${sent.traces} traces (${sent.spans} spans), ${sent.evaluations} evaluations, ${sent.feedback} feedback.`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(`\n${err instanceof DemoError ? err.message : (err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  });
}
