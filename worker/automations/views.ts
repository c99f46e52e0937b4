import { ruleStats, type BackfillRow, type StoredRule } from '../data/automations';
import { getDb } from '../db/client';
import { isoOrNull } from '../lib/time';
import type { ProjectEnv } from '../data/shards';

const iso = isoOrNull;

/** A rule as the API returns it, with its counters over the last 24 hours. */
export async function ruleView(env: Pick<ProjectEnv, 'shard'>, r: StoredRule) {
  const stats = await ruleStats(getDb(env.shard), r.id, Date.now() - 86_400_000);
  const last24h = { checked: 0, matched: 0, sampled: 0, routed: 0, overQuota: 0, errors: 0 };
  for (const s of stats) for (const k of Object.keys(last24h) as (keyof typeof last24h)[]) last24h[k] += s[k];
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    enabled: r.enabled,
    condition: r.condition,
    sampling: r.sampling,
    actions: r.actions,
    quota: r.quota ?? null,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    lastRoutedTraceId: r.lastRoutedTraceId,
    lastRoutedAt: iso(r.lastRoutedAt),
    last24h,
  };
}

export function backfillView(j: BackfillRow) {
  return {
    id: j.id,
    ruleId: j.ruleId,
    from: iso(j.fromMs),
    to: iso(j.toMs),
    status: j.status,
    scanned: j.scanned,
    matched: j.matched,
    routed: j.routed,
    error: j.error,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
  };
}
