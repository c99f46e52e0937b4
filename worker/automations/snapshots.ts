import { getSummaries, listSegments } from '../data/trace-index';
import { readSegments } from '../ingest/payloads';
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

/**
 * Snapshots of traces as rules see them: the index row, every evaluation result, and — only when
 * some rule asks for them — the attributes of every span, read back from R2.
 */
export async function loadSnapshots(
  env: Pick<ProjectEnv, 'shard' | 'PAYLOADS'>,
  projectId: string,
  summaries: TraceSummary[],
  withSpanAttributes: boolean,
): Promise<TraceSnapshot[]> {
  const ids = summaries.map((s) => s.traceId);
  const evaluations = await evaluationsOf(env.shard, projectId, ids);
  const attributes = new Map<string, ReadonlyMap<string, readonly string[]>>();
  if (withSpanAttributes) {
    await Promise.all(
      ids.map(async (id) => {
        const spans = await readSegments(env.PAYLOADS, await listSegments(env.shard, projectId, id));
        attributes.set(id, collectSpanAttributes(spans.map((s) => ({ ...s.resource, ...s.attributes }))));
      }),
    );
  }
  return summaries.map((s) => snapshotFromSummary(s, { evaluations: evaluations.get(s.traceId), spanAttributes: attributes.get(s.traceId) }));
}

export { getSummaries };
