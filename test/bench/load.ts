/** A closed-loop load generator: `concurrency` workers send requests back to back for `seconds`. */
export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function load(
  name: string,
  opts: { concurrency: number; seconds: number },
  send: (i: number) => Promise<Response>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        try {
          const res = await send(i);
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (!res.ok) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

export function fmt(r: LoadResult): string {
  return `${r.name.padEnd(28)} ${r.rps.toFixed(1).padStart(8)} req/s  p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99
    .toFixed(1)
    .padStart(7)} ms  errors ${r.errors}  statuses ${JSON.stringify(r.statuses)}`;
}

type TracePage = { data: { traceId: string; spanCount: number }[]; nextCursor: string | null };

/** Every trace's span count, paging the trace list (newest first) through `get` (a plain or a retrying client). */
export async function traceSpanCounts(get: (path: string) => Promise<TracePage>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const page: TracePage = await get(`/api/v1/traces?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    for (const t of page.data) counts.set(t.traceId, t.spanCount);
    cursor = page.nextCursor;
  } while (cursor);
  return counts;
}

export const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);
