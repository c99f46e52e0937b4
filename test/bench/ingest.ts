import { fromJson, toBinary } from '@bufbuild/protobuf';
import { gzipSync } from 'node:zlib';
import { benchBatch } from '../../worker/cli/synth';
import { ExportTraceServiceRequestSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { fmt, load, sum, traceSpanCounts, type LoadResult } from './load';

/** OTLP/JSON (hex ids) → protobuf bytes, the way an SDK's proto exporter would send it. */
function toProtobuf(json: any): Uint8Array<ArrayBuffer> {
  for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64);
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, json)) as Uint8Array<ArrayBuffer>;
}

async function countStored(url: string, key: string): Promise<number> {
  return sum(await traceSpanCounts(async (path) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()));
}

/**
 * Issue #2's ingest benchmark: protobuf batches of 100 spans (10 traces × 10 spans, LLM spans with
 * full chat messages and tool calls), each batch new, against the running server, beside a no-op
 * route of the same server in the same run. Sent both plain and gzip-compressed (as OTel
 * exporters do with `compression: 'gzip'`); afterwards every acknowledged span is counted back.
 * `mode` names the server's INGEST_MODE: with "queued", the wait until every acknowledged span is
 * readable is measured too, and the end-to-end rate includes it.
 */
export async function ingestBench(url: string, key: string, mode: 'direct' | 'queued', opts = { concurrency: 32, seconds: 15 }): Promise<void> {
  const pool = 3000;
  const seed = mode === 'direct' ? 0 : 5_000_000;
  const plain = Array.from({ length: pool }, (_, i) => toProtobuf(benchBatch(seed + 1000 + i)));
  const gzipped = Array.from({ length: pool }, (_, i) => new Uint8Array(gzipSync(toProtobuf(benchBatch(seed + 100_000 + i)))));
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' };
  const post = (body: Uint8Array<ArrayBuffer>, gzip: boolean) =>
    fetch(`${url}/v1/traces`, { method: 'POST', headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers, body });
  const take = (list: Uint8Array<ArrayBuffer>[], i: number) => {
    if (i >= list.length) throw new Error('ran out of distinct batches; raise the pool size');
    return list[i];
  };
  // Warm both paths (with batches outside the measured pools) so neither pays first-request compilation.
  const warm = Array.from({ length: 50 }, (_, i) => toProtobuf(benchBatch(seed + 900_000 + i)));
  await load('warm-up', { concurrency: 4, seconds: 2 }, () => fetch(`${url}/api/v1/ping`));
  const warmed = await load('warm-up', { concurrency: 4, seconds: 2 }, (i) => post(warm[i % warm.length], false));
  // Warm-up batches repeat (dedupe makes that harmless): each distinct one adds 100 spans.
  const warmSpans = Math.min(warm.length, warmed.statuses[200] ?? 0) * 100;

  const results: LoadResult[] = [];
  results.push(await load('no-op GET /api/v1/ping', opts, () => fetch(`${url}/api/v1/ping`)));
  const ingestStart = performance.now();
  results.push(await load(`ingest protobuf (${mode})`, opts, (i) => post(take(plain, i), false)));
  results.push(await load(`ingest protobuf + gzip (${mode})`, opts, (i) => post(take(gzipped, i), true)));
  const sent = performance.now();
  const [noop, raw, gz] = results;
  const measured = (raw.statuses[200] ?? 0) * 100 + (gz.statuses[200] ?? 0) * 100;
  const acked = measured + warmSpans;
  let stored = await countStored(url, key);
  // Queued: the consumer stores what was acknowledged a little later; wait for it (at most 10 minutes).
  while (mode === 'queued' && stored < acked && performance.now() - sent < 600_000) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await countStored(url, key);
  }
  const drained = performance.now();
  console.log(`\n== ingest (issue #2), INGEST_MODE=${mode}: 100-span protobuf batches vs a no-op route, same server, same run ==`);
  console.log(`batch size: ${plain[0].byteLength.toLocaleString()} bytes protobuf, ${gzipped[0].byteLength.toLocaleString()} bytes gzip-compressed`);
  for (const r of results) console.log(fmt(r));
  console.log(`acknowledged: ${(raw.rps * 100).toFixed(0)} spans/s plain, ${(gz.rps * 100).toFixed(0)} spans/s gzip`);
  console.log(`ratio ingest/no-op request rate: ${(raw.rps / noop.rps).toFixed(2)} plain, ${(gz.rps / noop.rps).toFixed(2)} gzip (goal ≥ 0.50)`);
  if (mode === 'queued') {
    const seconds = (drained - ingestStart) / 1000;
    console.log(`all acknowledged spans readable ${((drained - sent) / 1000).toFixed(1)} s after the last request; end to end ${(measured / seconds).toFixed(0)} spans/s stored over ${seconds.toFixed(1)} s`);
  }
  console.log(`acknowledged spans (incl. warm-up): ${acked.toLocaleString()}, readable through the API: ${stored.toLocaleString()}${stored >= acked ? ' ✓' : ' ✗ MISSING'}`);
}

function hexId(n: number, seed: number): string {
  let out = '';
  let x = seed;
  for (let i = 0; i < n * 2; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += (x % 16).toString(16);
  }
  return out.replace(/^0/, '1');
}

/** One OTLP protobuf request of `traces` traces × `spans` spans, each span small (as a wide request of one-span traces is). */
function shapedRequest(traces: number, spans: number, seed: number): Uint8Array<ArrayBuffer> {
  const start = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  const list = [];
  for (let t = 0; t < traces; t++) {
    const traceId = hexId(16, seed * 1_000_003 + t);
    for (let s = 0; s < spans; s++) {
      list.push({
        traceId, spanId: hexId(8, seed * 7_919 + t * 1000 + s), name: s === 0 ? 'agent' : 'chat gpt-4o-mini', kind: 1,
        ...(s === 0 ? {} : { parentSpanId: hexId(8, seed * 7_919 + t * 1000) }),
        startTimeUnixNano: String(start + BigInt(s) * 1_000_000n), endTimeUnixNano: String(start + BigInt(s + 1) * 1_000_000n),
        attributes: s === 0 ? [] : [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } }],
        status: { code: 1 },
      });
    }
  }
  return toProtobuf({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shape-bench' } }] }, scopeSpans: [{ scope: { name: 'bench' }, spans: list }] }] });
}

/**
 * Issue #14's shape figures against a running server: a wide request (4,000 one-span traces) beside a
 * narrow one of the same span count (40 traces × 100 spans), and how long a reader in another project
 * waits while the largest request the limits allow (about 20 MiB of spans) is stored.
 */
export async function shapeBench(url: string, key: string, readerKey: string): Promise<void> {
  const post = async (body: Uint8Array<ArrayBuffer>) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' }, body });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    return performance.now() - t0;
  };
  await post(shapedRequest(10, 10, 1)); // warm
  const narrow: number[] = [];
  const wide: number[] = [];
  for (let i = 0; i < 3; i++) {
    narrow.push(await post(shapedRequest(40, 100, 10 + i)));
    wide.push(await post(shapedRequest(4000, 1, 20 + i)));
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log('\n== request shape (issue #14): 4,000 spans per request, median of 3 ==');
  console.log(`narrow (40 traces × 100 spans): ${med(narrow).toFixed(0)} ms · wide (4,000 traces × 1 span): ${med(wide).toFixed(0)} ms · wide/narrow ${(med(wide) / med(narrow)).toFixed(2)} (before: 8.3 s / 1.2 s ≈ 6.9)`);

  // The maximal request: bench batches (full chat messages) up to just under the 20 MiB body limit.
  const batches: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; size < 19.5 * 1024 * 1024; i++) {
    const b = toProtobuf(benchBatch(8_000_000 + i));
    batches.push(b);
    size += b.byteLength;
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const b of batches) {
    body.set(b, at);
    at += b.byteLength;
  }
  const waits: number[] = [];
  let done = false;
  const reader = (async () => {
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/traces?limit=20`, { headers: { authorization: `Bearer ${readerKey}` } });
      await res.arrayBuffer();
      waits.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const took = await post(body as Uint8Array<ArrayBuffer>);
  done = true;
  await reader;
  console.log(`maximal request: ${(size / 1024 / 1024).toFixed(1)} MiB, ${(batches.length * 100).toLocaleString()} spans, stored in ${(took / 1000).toFixed(1)} s`);
  console.log(`reader in another project meanwhile: ${waits.length} reads, p50 ${med(waits).toFixed(0)} ms, max ${Math.max(...waits).toFixed(0)} ms (goal < 1,000 ms)`);
}
