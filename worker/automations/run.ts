import { decidedPairs, listRules, recordDecisions, routedSince, type MatchDecision, type StatsDelta, type StoredRule } from '../data/automations';
import { getDb } from '../db/client';
import type { TraceSummary } from '../schemas/traces';
import { compileRule } from './compile';
import { routeTraces } from './route';
import { applyQuota, decide, quotaWindow } from './sample';
import { getSummaries, loadSnapshots, usesSpanAttributes } from './snapshots';
import type { ProjectEnv } from '../data/shards';

/** How long after its last span a trace counts as settled, unless `AUTOMATION_SETTLE_SECONDS` says otherwise. */
export const DEFAULT_SETTLE_SECONDS = 30;

export function settleMs(env: Pick<Env, 'AUTOMATION_SETTLE_SECONDS'>): number {
  const s = Number(env.AUTOMATION_SETTLE_SECONDS);
  return (Number.isFinite(s) && s >= 0 ? s : DEFAULT_SETTLE_SECONDS) * 1000;
}

export interface RunOptions {
  now: number;
  /** 'live', or the id of the backfill job doing the run. */
  via: string;
  /** Only this rule (a backfill); otherwise every enabled rule of the project. */
  rule?: StoredRule;
  /** Traces whose last span is younger than this are left for the delayed message that follows them. */
  settleMs: number;
}

export type RunTotals = StatsDelta;

const emptyDelta = (): StatsDelta => ({ checked: 0, matched: 0, sampled: 0, routed: 0, overQuota: 0, errors: 0 });

/**
 * Checks traces against automation rules and routes what matches and is sampled. At most once per
 * (rule, trace): decided pairs are skipped, and a decision is logged only after its routing
 * succeeded, so a failed routing is retried by the Queue and a retried routing is a no-op.
 */
export async function runAutomations(env: ProjectEnv, projectId: string, traceIds: string[], opts: RunOptions): Promise<RunTotals> {
  const db = getDb(env.shard);
  const rules = opts.rule ? [opts.rule] : await listRules(db, projectId, { enabledOnly: true });
  const totals = emptyDelta();
  if (!rules.length || !traceIds.length) return totals;
  const summaries: TraceSummary[] = (await getSummaries(env.shard, projectId, traceIds)).filter(
    // A second of slack: the delayed message is due exactly one settle window after the last span.
    (t) => opts.now - Date.parse(t.updatedAt) >= opts.settleMs - 1000,
  );
  if (!summaries.length) return totals;
  const decided = await decidedPairs(env.shard, projectId, summaries.map((s) => s.traceId));
  const snapshots = await loadSnapshots(env, projectId, summaries, rules.some((r) => usesSpanAttributes(r.condition)));

  const decisions: MatchDecision[] = [];
  const stats = new Map<string, StatsDelta>();
  const toRoute = new Map<StoredRule, string[]>();
  for (const rule of rules) {
    const compiled = compileRule(rule);
    const delta = emptyDelta();
    stats.set(rule.id, delta);
    const windowStart = rule.quota ? quotaWindow(rule.quota.per, opts.now).start : 0;
    let counter = rule.quota ? { windowStart, routed: await routedSince(db, rule.id, windowStart), overQuota: 0 } : null;
    for (const s of snapshots) {
      if (decided.has(`${rule.id}:${s.traceId}`)) continue;
      delta.checked++;
      const d = decide(rule, compiled, s);
      if (!d.matched) continue;
      delta.matched++;
      const base = { ruleId: rule.id, traceId: s.traceId, ruleVersion: rule.version, stratum: d.stratum ?? null };
      if (!d.sampled) {
        decisions.push({ ...base, outcome: 'not_sampled' });
        continue;
      }
      delta.sampled++;
      const q = applyQuota(counter, rule.quota, opts.now);
      counter = q.counter;
      if (q.outcome === 'overQuota') {
        delta.overQuota++;
        decisions.push({ ...base, outcome: 'over_quota' });
        continue;
      }
      delta.routed++;
      decisions.push({ ...base, outcome: 'routed' });
      toRoute.set(rule, [...(toRoute.get(rule) ?? []), s.traceId]);
    }
  }
  for (const [rule, ids] of toRoute) {
    try {
      await routeTraces(env, projectId, rule, ids);
    } catch (err) {
      await recordDecisions(db, projectId, [], new Map([[rule.id, { ...emptyDelta(), errors: 1 }]]), opts.via, opts.now);
      throw err;
    }
  }
  await recordDecisions(db, projectId, decisions, stats, opts.via, opts.now);
  for (const d of stats.values()) for (const k of Object.keys(totals) as (keyof StatsDelta)[]) totals[k] += d[k];
  return totals;
}
