import { readSegments } from '../ingest/payloads';
import type { TraceDetailResponse } from '../schemas/traces';
import { toSpanDetail } from '../semconv/span-detail';
import { listSignals } from './signals';
import { getTraceSummary, listSegments } from './trace-index';

/**
 * One trace with its signals and all its spans read back from R2: the body of
 * `GET /api/v1/traces/:traceId`, also embedded in a queue item's review context. Null when the
 * project has no such trace. `shard` is the project's data shard (worker/data/shards.ts).
 */
export async function getTraceDetail(shard: D1Database, payloads: R2Bucket, projectId: string, traceId: string): Promise<TraceDetailResponse | null> {
  const [trace, segments, signals] = await Promise.all([
    getTraceSummary(shard, projectId, traceId),
    listSegments(shard, projectId, traceId),
    listSignals(shard, projectId, traceId),
  ]);
  if (!trace) return null;
  const spans = await readSegments(payloads, segments);
  return { trace, ...signals, spans: spans.map(toSpanDetail) };
}
