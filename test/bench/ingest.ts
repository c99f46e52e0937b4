import { fromJson, toBinary } from '@bufbuild/protobuf';
import { benchBatch } from '../../worker/cli/synth';
import { ExportTraceServiceRequestSchema } from '../../worker/otlp/gen/otlp_pb';
import { hexIdsToBase64 } from '../../worker/otlp/json-ids';
import { fmt, load } from './load';

/** OTLP/JSON (hex ids) → protobuf bytes, the way an SDK's proto exporter would send it. */
function toProtobuf(json: any): Uint8Array {
  for (const rs of json.resourceSpans) for (const ss of rs.scopeSpans) ss.spans = ss.spans.map(hexIdsToBase64);
  return toBinary(ExportTraceServiceRequestSchema, fromJson(ExportTraceServiceRequestSchema, json));
}

/**
 * Issue #2's ingest benchmark: protobuf batches of 100 spans (10 traces × 10 spans), each batch
 * new, against the running server, beside a no-op route of the same server in the same run.
 */
export async function ingestBench(url: string, key: string, opts = { concurrency: 32, seconds: 15 }): Promise<void> {
  const batches: Uint8Array<ArrayBuffer>[] = Array.from({ length: 4000 }, (_, i) => toProtobuf(benchBatch(1000 + i)) as Uint8Array<ArrayBuffer>);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' };
  // Warm both paths so neither pays first-request compilation inside the measurement.
  await load('warm-up', { concurrency: 4, seconds: 2 }, () => fetch(`${url}/api/v1/ping`));
  await load('warm-up', { concurrency: 4, seconds: 2 }, (i) =>
    fetch(`${url}/v1/traces`, { method: 'POST', headers, body: batches[(batches.length - 1 - i) % batches.length] }),
  );

  const noop = await load('no-op GET /api/v1/ping', opts, () => fetch(`${url}/api/v1/ping`));
  const ingest = await load('ingest POST /v1/traces', opts, (i) => {
    if (i >= batches.length - 200) throw new Error('ran out of distinct batches; raise the pool size');
    return fetch(`${url}/v1/traces`, { method: 'POST', headers, body: batches[i] });
  });
  const check = await fetch(`${url}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  console.log('\n== ingest (issue #2): 100-span protobuf batches vs a no-op route, same server, same run ==');
  console.log(fmt(noop));
  console.log(fmt(ingest));
  console.log(`ingest throughput: ${(ingest.rps * 100).toFixed(0)} spans/s (${ingest.requests * 100} spans acknowledged)`);
  console.log(`ratio ingest/no-op request rate: ${(ingest.rps / noop.rps).toFixed(2)} (goal ≥ 0.50); read-back status ${check.status}`);
}
