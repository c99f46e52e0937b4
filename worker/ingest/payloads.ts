import type { SpanPointer } from '../data/trace-index';
import type { NormalizedSpan } from '../otlp/types';

/**
 * Reads spans back from R2 with one ranged GET per payload object: a trace's spans from one
 * ingest request are contiguous, so the range covers just them, never the whole batch.
 */
export async function readSpans(bucket: R2Bucket, pointers: SpanPointer[]): Promise<NormalizedSpan[]> {
  const byKey = new Map<string, SpanPointer[]>();
  for (const p of pointers) {
    const list = byKey.get(p.payloadKey);
    if (list) list.push(p);
    else byKey.set(p.payloadKey, [p]);
  }
  const decoder = new TextDecoder();
  const parts = await Promise.all(
    [...byKey].map(async ([key, list]) => {
      const start = Math.min(...list.map((p) => p.payloadOffset));
      const end = Math.max(...list.map((p) => p.payloadOffset + p.payloadLength));
      const obj = await bucket.get(key, { range: { offset: start, length: end - start } });
      if (!obj) return [];
      const bytes = new Uint8Array(await obj.arrayBuffer());
      return list.map((p) => {
        const slice = bytes.subarray(p.payloadOffset - start, p.payloadOffset - start + p.payloadLength);
        return JSON.parse(decoder.decode(slice)) as NormalizedSpan;
      });
    }),
  );
  const bySpan = new Map(parts.flat().map((s) => [s.spanId, s]));
  return pointers.map((p) => bySpan.get(p.spanId)).filter((s): s is NormalizedSpan => !!s);
}
