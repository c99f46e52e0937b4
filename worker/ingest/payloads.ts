import type { SegmentRef } from '../data/trace-write';
import { decodeProtobuf } from '../otlp/decode';
import type { NormalizedSpan } from '../otlp/types';

/** Objects written before the lean index (0012) hold NDJSON lines of NormalizedSpan; newer ones OTLP protobuf. */
const isNdjson = (key: string) => key.endsWith('.ndjson');

function decodeSegment(key: string, bytes: Uint8Array): NormalizedSpan[] {
  if (!isNdjson(key)) return decodeProtobuf(bytes).spans;
  const text = new TextDecoder().decode(bytes);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as NormalizedSpan);
}

/**
 * Reads a trace's spans back from R2 with one ranged GET per stored object (a trace's spans of one
 * ingest request are one contiguous segment). A span stored twice (sent again later) counts once,
 * its first copy winning; spans come in start order. A missing object (deleted by retention) reads as no spans.
 */
export async function readSegments(bucket: R2Bucket, segments: readonly SegmentRef[]): Promise<NormalizedSpan[]> {
  const byKey = new Map<string, SegmentRef[]>();
  for (const s of segments) {
    const list = byKey.get(s[0]);
    if (list) list.push(s);
    else byKey.set(s[0], [s]);
  }
  const parts = await Promise.all(
    [...byKey].map(async ([key, list]) => {
      const start = Math.min(...list.map((s) => s[1]));
      const end = Math.max(...list.map((s) => s[1] + s[2]));
      const obj = await bucket.get(key, { range: { offset: start, length: end - start } });
      if (!obj) return [];
      const bytes = new Uint8Array(await obj.arrayBuffer());
      return list.flatMap((s) => decodeSegment(key, bytes.subarray(s[1] - start, s[1] - start + s[2])));
    }),
  );
  const bySpan = new Map<string, NormalizedSpan>();
  const order = new Map(segments.map((s, i) => [s[0], i]));
  // First copy wins in the order the segments were stored.
  const ordered = [...byKey.keys()].map((k, i) => ({ i: order.get(k)!, spans: parts[i] })).sort((a, b) => a.i - b.i);
  for (const { spans } of ordered) for (const s of spans) if (!bySpan.has(s.spanId)) bySpan.set(s.spanId, s);
  return [...bySpan.values()].sort((a, b) => a.startMs - b.startMs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}
