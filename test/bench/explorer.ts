import { startLocalServer } from '../../worker/cli/local-server';
import { LOCAL_DEFAULTS } from '../../worker/cli/config';
import { seedTraces } from './seed-traces';

const HOUR = 3600_000;

/** The eight representative explorer pages of issue #4, as query strings. */
function queries(now: number): [string, string][] {
  return [
    ['faithfulness < 0.5, last 24 h', `eval=faithfulness:lt:0.5&from=${now - 24 * HOUR}`],
    ['thumbs-down and model = gpt-4o-mini', 'feedback=down&model=gpt-4o-mini'],
    ['errors with retries ≥ 2', 'hasError=true&minRetries=2'],
    ['slowest (≥ 5 s), by duration', 'minDurationMs=5000&sort=duration'],
    ['support-bot in production, 7 d', `service=support-bot&environment=production&from=${now - 168 * HOUR}`],
    ['negative sentiment, 7 d', `feedback=negative&from=${now - 168 * HOUR}`],
    ['text "refund", last 24 h', `text=refund&from=${now - 24 * HOUR}`],
    ['lowest relevance first', 'eval=relevance:lt:0.3&sort=score&order=asc'],
  ];
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeQueries(url: string, key: string, now: number, runs: number): Promise<Map<string, { p50: number; p95: number; rows: number }>> {
  const out = new Map<string, { p50: number; p95: number; rows: number }>();
  for (const [name, qs] of queries(now)) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/traces?limit=50&${qs}`, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { data?: unknown[]; error?: { message: string } };
      if (!res.ok) throw new Error(`${name}: ${res.status} ${body.error?.message}`);
      if (i >= 3) times.push(performance.now() - t0);
      rows = body.data?.length ?? 0;
    }
    times.sort((a, b) => a - b);
    out.set(name, { p50: pct(times, 50), p95: pct(times, 95), rows });
  }
  return out;
}

/**
 * Issue #4's explorer benchmark: seed N traces with signals into local D1, then time the eight
 * representative filtered pages through the API (sequential, first page of 50); done at 100k and 1M.
 */
export async function explorerBench(sizes = [100_000, 1_000_000], runs = 20): Promise<void> {
  const results = new Map<number, Map<string, { p50: number; p95: number; rows: number }>>();
  for (const size of sizes) {
    const now = Date.now();
    const t0 = performance.now();
    const server = await startLocalServer((s) => console.log(s), {
      beforeStart: (dir) => seedTraces(dir, LOCAL_DEFAULTS.projectId, size, now, (s) => process.stdout.write(`\r${s}   `)),
    });
    console.log(`\n${size.toLocaleString()} traces seeded and server up in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    try {
      results.set(size, await timeQueries(server.url, server.cfg.demoApiKey, now, runs));
    } finally {
      await server.stop();
    }
  }
  console.log('\n== explorer (issue #4): first page (50) of each filter, through the API, sequential ==');
  const header = ['query'.padEnd(40), ...sizes.flatMap((s) => [`p50@${s / 1000}k`.padStart(11), `p95@${s / 1000}k`.padStart(11), 'rows'.padStart(5)])];
  console.log(header.join(' '));
  for (const [name] of queries(0)) {
    const cells = sizes.flatMap((s) => {
      const r = results.get(s)!.get(name)!;
      return [`${r.p50.toFixed(1)} ms`.padStart(11), `${r.p95.toFixed(1)} ms`.padStart(11), String(r.rows).padStart(5)];
    });
    console.log([name.padEnd(40), ...cells].join(' '));
  }
  const worst = Math.max(...[...results.get(sizes[sizes.length - 1])!.values()].map((r) => r.p95));
  console.log(`worst p95 at ${sizes[sizes.length - 1].toLocaleString()} traces: ${worst.toFixed(1)} ms (goal < 150 ms)`);
}
