import { getSummaries, listSegments } from '../data/trace-index';
import { readSegments } from '../ingest/payloads';
import { mapLimit } from '../lib/map-limit';
import type { Condition } from '../schemas/automations';
import type { TraceSummary } from '../schemas/traces';
import { collectSpanAttributes, snapshotFromSummary, type TraceSnapshot } from './snapshot';
import type { ProjectEnv } from '../data/shards';

/** True when any leaf of the condition looks at span attributes (which live in R2, not D1). */
export function usesSpanAttributes(c: Condition): boolean {
  if ('all' in c) return c.all.some(usesSpanAttributes);
  if ('any' in c) return c.any.some(usesSpanAttributes);
  return 'spanAttribute' in c;
}

/** Every evaluation result (name, score, label) of the given traces, grouped by trace. */
async function evaluationsOf(d1: D1Database, projectId: string, traceIds: string[]) {
  const { results } = await d1
    .prepare(`SELECT e.trace_id, e.name, e.score, e.label FROM evaluations e JOIN json_each(?2) j ON e.project_id = ?1 AND e.trace_id = j.value`)
    .bind(projectId, JSON.stringify(traceIds))
    .all<{ trace_id: string; name: string; score: number | null; label: string | null }>();
  const byTrace = new Map<string, { name: string; score: number | null; label: string | null }[]>();
  for (const r of results) {
    const list = byTrace.get(r.trace_id) ?? [];
    list.push({ name: r.name, score: r.score, label: r.label });
    byTrace.set(r.trace_id, list);
  }
  return byTrace;
}

/** Traces whose spans are read at the same time: each is one D1 lookup, then its R2 objects. */
export const SPAN_READ_CONCURRENCY = 6;

/** What loading snapshots cost, for callers that keep a budget. */
export interface SnapshotMeter {
  /** R2 objects read (one `get` per stored object holding spans of a trace). */
  r2Reads: number;
}

/**
 * Snapshots of traces as rules see them: the index row, every evaluation result, and — only when
 * some rule asks for them — the attributes of every span, read back from R2, a few traces at a time.
 */
export async function loadSnapshots(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  projectId: string,
  summaries: TraceSummary[],
  withSpanAttributes: boolean,
  meter?: SnapshotMeter,
): Promise<TraceSnapshot[]> {
  const ids = summaries.map((s) => s.traceId);
  const evaluations = await evaluationsOf(env.shard, projectId, ids);
  const attributes = new Map<string, ReadonlyMap<string, readonly string[]>>();
  if (withSpanAttributes) {
    await mapLimit(ids, SPAN_READ_CONCURRENCY, async (id) => {
      const segments = await listSegments(env.shard, projectId, id);
      if (meter) meter.r2Reads += new Set(segments.map((s) => s[0])).size;
      const spans = await readSegments(env.PAYLOADS, segments);
      attributes.set(id, collectSpanAttributes(spans.map((s) => ({ ...s.resource, ...s.attributes }))));
    });
  }
  return summaries.map((s) => snapshotFromSummary(s, { evaluations: evaluations.get(s.traceId), spanAttributes: attributes.get(s.traceId) }));
}

export { getSummaries };
