import { readSegments } from '../ingest/payloads';
import type { TraceDetailResponse } from '../schemas/traces';
import { toSpanDetail } from '../semconv/span-detail';
import { listSignals } from './signals';
import { getTraceSummary, listSegments } from './trace-index';

/**
 * One trace with its signals and all its spans read back from R2: the body of
 * `GET /api/v1/traces/:traceId`, also embedded in a queue item's review context. Null when the
 * project has no such trace.
 */
export async function getTraceDetail(env: Pick<Env, 'DB' | 'PAYLOADS'>, projectId: string, traceId: string): Promise<TraceDetailResponse | null> {
  const [trace, segments, signals] = await Promise.all([
    getTraceSummary(env.DB, projectId, traceId),
    listSegments(env.DB, projectId, traceId),
    listSignals(env.DB, projectId, traceId),
  ]);
  if (!trace) return null;
  const spans = await readSegments(env.PAYLOADS, segments);
  return { trace, ...signals, spans: spans.map(toSpanDetail) };
}
