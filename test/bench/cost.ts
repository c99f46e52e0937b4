import { fromJson, toBinary } from '@bufbuild/protobuf';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startLocalServer } from '../../worker/cli/local-server';
import { benchBatch } from '../../worker/cli/synth';
import { prepareBatch } from '../../worker/ingest/rows';
import { compileRedaction } from '../../worker/ingest/redact';
import { decodeProtobuf } from '../../worker/otlp/decode';
import { ExportTraceServiceRequestSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { screenProtobuf } from '../../worker/otlp/screen';
import { RAW_SPILL_BYTES } from '../../worker/ingest/queued-limits';
import { RedactionConfig } from '../../worker/schemas/projects';
import { D1_MAX_DATABASE_BYTES, FREE, PRICES } from './prices';

/** The Worker's gzip for Queue messages (worker/ingest/accept.ts), here without its Env-typed module. */
async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** OTLP/JSON (hex ids) → protobuf bytes, the way an SDK's proto exporter sends it. */
export function toProtobuf(json: any): Uint8Array<ArrayBuffer> {
  const copy = structuredClone(json);
  for (const rs of copy.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64);
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, copy)) as Uint8Array<ArrayBuffer>;
}

/** CPU µs per call of `f` over `n` inputs (after a warm-up), from process.cpuUsage: user + system. */
function cpuMicros(n: number, rounds: number, f: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 50); i++) f(i);
  const before = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < n; i++) f(i);
  const d = process.cpuUsage(before);
  return (d.user + d.system) / (n * rounds);
}

async function cpuMicrosAsync(n: number, f: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(n, 10); i++) await f(i);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await f(i);
  const d = process.cpuUsage(before);
  return (d.user + d.system) / n;
}

export interface CpuFigures {
  floorPerSpan: number;
  decodePerSpan: number;
  preparePerSpan: number;
  totalPerSpan: number;
  ratio: number;
  queuedRequestMs512: number;
}

/**
 * The Worker's own per-span CPU in this process (Node 24: the V8 of workerd), on the benchmark's
 * 100-span batches, beside the floor: V8's JSON.parse of the same spans as OTLP/JSON.
 */
export async function cpuFigures(batches = 200): Promise<CpuFigures> {
  const jsons = Array.from({ length: batches }, (_, i) => benchBatch(50_000 + i));
  const texts = jsons.map((j) => JSON.stringify(j));
  const pbs = jsons.map(toProtobuf);
  const spans = 100;
  const redactor = compileRedaction(RedactionConfig.parse({}));
  const rounds = 3;
  const floor = cpuMicros(batches, rounds, (i) => JSON.parse(texts[i])) / spans;
  const decode = cpuMicros(batches, rounds, (i) => decodeProtobuf(pbs[i])) / spans;
  const decoded = pbs.map((p) => decodeProtobuf(p));
  const prepare = cpuMicros(batches, rounds, (i) => prepareBatch(decoded[i], redactor)) / spans;
  // Queued mode's request path for the OTel SDK's default export (512 spans): screen, then gzip for the Queue.
  const big = Array.from({ length: 20 }, (_, i) => toProtobuf(benchBatch(90_000 + i, 52, 10)));
  const queued = await cpuMicrosAsync(big.length, async (i) => {
    screenProtobuf(big[i]);
    // As acceptSpans: bodies past RAW_SPILL_BYTES go to R2 as received, smaller ones are compressed for the Queue.
    if (big[i].byteLength <= RAW_SPILL_BYTES) await gzip(big[i]);
  });
  const total = decode + prepare;
  return { floorPerSpan: floor, decodePerSpan: decode, preparePerSpan: prepare, totalPerSpan: total, ratio: total / floor, queuedRequestMs512: queued / 1000 };
}

/** Every local D1 database file of a state directory (control database and shards). */
function d1Files(stateDir: string): string[] {
  const dir = join(stateDir, 'v3/d1/miniflare-D1DatabaseObject');
  return readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite').map((f) => join(dir, f));
}

/** Bytes per table and index (dbstat, page bytes) summed over the databases, and the trace count. */
function storedBytes(stateDir: string): { traces: number; byName: Map<string, number> } {
  const byName = new Map<string, number>();
  let traces = 0;
  for (const file of d1Files(stateDir)) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const hasTraces = db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'traces'`).get();
      if (!hasTraces) continue;
      traces += Number((db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n);
      for (const r of db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[]) {
        byName.set(r.name, (byName.get(r.name) ?? 0) + Number(r.bytes));
      }
    } finally {
      db.close();
    }
  }
  return { traces, byName };
}

function counters(stateDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const file of d1Files(stateDir)) {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const has = db.prepare(`SELECT 1 FROM sqlite_schema WHERE name = 'ops_counters'`).get();
      if (!has) continue;
      for (const r of db.prepare('SELECT metric, sum(value) AS v FROM ops_counters GROUP BY metric').all() as { metric: string; v: number }[]) {
        out.set(r.metric, (out.get(r.metric) ?? 0) + Number(r.v));
      }
    } finally {
      db.close();
    }
  }
  return out;
}

const money = (n: number) => `$${n < 10 ? n.toFixed(3) : n.toFixed(0)}`;

/**
 * `npm run bench cost`: ingests the benchmark workload (100-span protobuf batches, 10 traces × 10
 * spans) into a fresh local server, then prints per million spans what the data plane uses — Worker
 * CPU-ms and requests, D1 rows written (`meta.rows_written`, counted by ingest) and bytes stored
 * (`dbstat`), R2 operations and bytes, Queue operations — and what that costs at PRICES, with the
 * capacity of one shard.
 */
export async function costBench(requests = 300): Promise<void> {
  const cpu = await cpuFigures();
  console.log('\n== cost (issue #14): CPU per span in Node 24, benchmark batches of 100 spans ==');
  console.log(`floor JSON.parse of the same spans as OTLP/JSON: ${cpu.floorPerSpan.toFixed(1)} µs/span`);
  console.log(`decode ${cpu.decodePerSpan.toFixed(1)} µs + map/redact/segments ${cpu.preparePerSpan.toFixed(1)} µs = ${cpu.totalPerSpan.toFixed(1)} µs/span`);
  console.log(`ratio to the floor: ${cpu.ratio.toFixed(2)}× (goal ≤ 3×)`);
  console.log(`queued request path for a 512-span export (screen; bodies over 256 KB go to R2 uncompressed): ${cpu.queuedRequestMs512.toFixed(2)} ms CPU (goal ≤ 10 ms, Workers Free)`);

  const server = await startLocalServer(() => undefined, { apiVars: { INGEST_MODE: 'direct' } });
  try {
    const bodies = Array.from({ length: requests }, (_, i) => toProtobuf(benchBatch(700_000 + i)));
    const headers = { authorization: `Bearer ${server.cfg.demoApiKey}`, 'content-type': 'application/x-protobuf' };
    const before = storedBytes(server.cfg.stateDir);
    const post = (body: Uint8Array<ArrayBuffer>) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers, body });
    for (let i = 0; i < bodies.length; i += 8) {
      const statuses = await Promise.all(bodies.slice(i, i + 8).map(async (b) => (await post(b)).status));
      if (statuses.some((s) => s !== 200)) throw new Error(`ingest answered ${statuses.join(',')}`);
    }
    // Counters are flushed at most every 10 s, after a request: wait, then send one repeat (all duplicates).
    await new Promise((r) => setTimeout(r, 10_500));
    await post(bodies[0]);
    await new Promise((r) => setTimeout(r, 1_500));
    const after = storedBytes(server.cfg.stateDir);
    const c = counters(server.cfg.stateDir);
    const spans = requests * 100;
    const traces = after.traces - before.traces;
    const perTrace = new Map<string, number>();
    for (const [name, bytes] of after.byName) {
      const grown = bytes - (before.byName.get(name) ?? 0);
      if (grown > 0) perTrace.set(name, grown / traces);
    }
    const bytesPerTrace = [...perTrace.values()].reduce((a, b) => a + b, 0);
    console.log(`\n== cost: D1 bytes per 10-span trace (dbstat, indexes included), ${traces.toLocaleString()} traces ==`);
    for (const [name, b] of [...perTrace].sort((a, b) => b[1] - a[1])) if (b >= 1) console.log(`  ${name.padEnd(32)} ${b.toFixed(0).padStart(6)} B`);
    console.log(`total: ${bytesPerTrace.toFixed(0)} B per trace (goal ≤ 1,500)`);

    const perM = (n: number) => (n * 1_000_000) / spans;
    const rowsWritten = perM(c.get('d1.rows_written') ?? 0);
    const r2Puts = perM(c.get('r2.puts') ?? 0);
    const r2Bytes = perM(c.get('r2.bytes_written') ?? 0);
    const queueOps = perM((c.get('queue.enqueued') ?? 0) * 3); // write, read, delete per message (≤ 64 KB)
    const requestsPerM = 1_000_000 / 100;
    const cpuMs = (cpu.totalPerSpan * 1_000_000) / 1000;
    const d1Bytes = (bytesPerTrace * 1_000_000) / 10;
    console.log('\n== cost per million spans (direct ingest, 100-span requests) ==');
    console.log(`Worker requests: ${requestsPerM.toLocaleString()}  ·  Worker CPU: ${Math.round(cpuMs).toLocaleString()} ms (Node-measured path)`);
    console.log(`D1 rows written: ${Math.round(rowsWritten).toLocaleString()}  ·  D1 bytes stored: ${(d1Bytes / 1e6).toFixed(0)} MB`);
    console.log(`R2 class A operations: ${Math.round(r2Puts).toLocaleString()}  ·  R2 bytes written: ${(r2Bytes / 1e6).toFixed(0)} MB`);
    console.log(`Queue operations: ${Math.round(queueOps).toLocaleString()} (post-ingest messages × write/read/delete)`);
    const p = PRICES;
    const dollars = {
      requests: (requestsPerM / 1e6) * p.workers.perMillionRequests,
      cpu: (cpuMs / 1e6) * p.workers.perMillionCpuMs,
      d1Writes: (rowsWritten / 1e6) * p.d1.perMillionRowsWritten,
      d1Storage: (d1Bytes / 1e9) * p.d1.perGbMonth,
      r2Ops: (r2Puts / 1e6) * p.r2.perMillionClassA,
      r2Storage: (r2Bytes / 1e9) * p.r2.perGbMonth,
      queue: (queueOps / 1e6) * p.queues.perMillionOperations,
    };
    const oneOff = dollars.requests + dollars.cpu + dollars.d1Writes + dollars.r2Ops + dollars.queue;
    const monthly = dollars.d1Storage + dollars.r2Storage;
    console.log(`\nat list prices past the included amounts (prices read ${p.readOn}):`);
    console.log(`  ingest ${money(oneOff)} per million spans (requests ${money(dollars.requests)}, CPU ${money(dollars.cpu)}, D1 writes ${money(dollars.d1Writes)}, R2 puts ${money(dollars.r2Ops)}, Queue ${money(dollars.queue)})`);
    console.log(`  storage ${money(monthly)} per million spans per month kept (D1 ${money(dollars.d1Storage)}, R2 ${money(dollars.r2Storage)})`);
    console.log('\n== capacity ==');
    console.log(`one shard (10 GB D1): ${Math.floor(D1_MAX_DATABASE_BYTES / bytesPerTrace).toLocaleString()} traces of 10 spans; Workers Free (500 MB): ${Math.floor(FREE.d1DatabaseBytes / bytesPerTrace).toLocaleString()}`);
    console.log(`Workers Free rows written per day (${FREE.d1RowsWrittenPerDay.toLocaleString()}): ${Math.floor((FREE.d1RowsWrittenPerDay / rowsWritten) * 1e6).toLocaleString()} spans/day`);
    console.log(`Workers Free requests per day (${FREE.requestsPerDay.toLocaleString()}): ${(FREE.requestsPerDay * 100).toLocaleString()} spans/day in 100-span requests`);
  } finally {
    await server.stop();
  }
}
