import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { automationBackfills, automationMatches, automationRules, automationRuleVersions, automationStats } from '../db/automations';
import type { Rule } from '../schemas/automations';

type Definition = Pick<Rule, 'condition' | 'sampling' | 'actions' | 'quota'>;
type RuleRow = typeof automationRules.$inferSelect;

export interface StoredRule extends Rule {
  projectId: string;
  createdAt: number;
  updatedAt: number;
  lastRoutedTraceId: string | null;
  lastRoutedAt: number | null;
}

function toRule(r: RuleRow): StoredRule {
  const d = JSON.parse(r.definition) as Definition;
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    enabled: r.enabled,
    ...d,
    projectId: r.projectId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    lastRoutedTraceId: r.lastRoutedTraceId,
    lastRoutedAt: r.lastRoutedAt,
  };
}

const definitionOf = (r: Definition) => JSON.stringify({ condition: r.condition, sampling: r.sampling, actions: r.actions, ...(r.quota ? { quota: r.quota } : {}) });

export async function listRules(db: Db, projectId: string, opts: { enabledOnly?: boolean } = {}): Promise<StoredRule[]> {
  const where = [eq(automationRules.projectId, projectId), isNull(automationRules.deletedAt)];
  if (opts.enabledOnly) where.push(eq(automationRules.enabled, true));
  const rows = await db.select().from(automationRules).where(and(...where)).orderBy(automationRules.createdAt).all();
  return rows.map(toRule);
}

export async function findRule(db: Db, projectId: string, ruleId: string): Promise<StoredRule | null> {
  const row = await db
    .select()
    .from(automationRules)
    .where(and(eq(automationRules.projectId, projectId), eq(automationRules.id, ruleId), isNull(automationRules.deletedAt)))
    .get();
  return row ? toRule(row) : null;
}

/** Saves a rule; each version's definition is kept forever (an unchanged version keeps its first copy). */
export async function saveRule(db: Db, projectId: string, rule: Rule, createdBy: string | null, isNew: boolean): Promise<void> {
  const definition = definitionOf(rule);
  const now = Date.now();
  const version = db
    .insert(automationRuleVersions)
    .values({ ruleId: rule.id, version: rule.version, name: rule.name, definition, createdBy, createdAt: now })
    .onConflictDoNothing();
  const upsert = isNew
    ? db.insert(automationRules).values({ id: rule.id, projectId, name: rule.name, enabled: rule.enabled, version: rule.version, definition, createdBy, createdAt: now, updatedAt: now })
    : db
        .update(automationRules)
        .set({ name: rule.name, enabled: rule.enabled, version: rule.version, definition, updatedAt: now })
        .where(and(eq(automationRules.projectId, projectId), eq(automationRules.id, rule.id)));
  await db.batch([upsert, version]);
}

export async function deleteRule(db: Db, projectId: string, ruleId: string): Promise<void> {
  await db
    .update(automationRules)
    .set({ deletedAt: Date.now(), enabled: false })
    .where(and(eq(automationRules.projectId, projectId), eq(automationRules.id, ruleId)));
}

/** The (rule, trace) pairs among these that a rule already decided. */
export async function decidedPairs(d1: D1Database, projectId: string, traceIds: string[]): Promise<Set<string>> {
  if (!traceIds.length) return new Set();
  const { results } = await d1
    .prepare(`SELECT m.rule_id, m.trace_id FROM automation_matches m JOIN json_each(?2) j ON m.project_id = ?1 AND m.trace_id = j.value`)
    .bind(projectId, JSON.stringify(traceIds))
    .all<{ rule_id: string; trace_id: string }>();
  return new Set(results.map((r) => `${r.rule_id}:${r.trace_id}`));
}

export interface MatchDecision {
  ruleId: string;
  traceId: string;
  ruleVersion: number;
  outcome: 'routed' | 'not_sampled' | 'over_quota';
  stratum: number | null;
}

export interface StatsDelta {
  checked: number;
  matched: number;
  sampled: number;
  routed: number;
  overQuota: number;
  errors: number;
}

export const HOUR_MS = 3_600_000;

/** Records decisions (first one wins), adds to the hourly counters and notes the last routed trace, in one batch. */
export async function recordDecisions(
  db: Db,
  projectId: string,
  decisions: MatchDecision[],
  stats: Map<string, StatsDelta>,
  via: string,
  now: number,
): Promise<void> {
  const bucketStart = Math.floor(now / HOUR_MS) * HOUR_MS;
  const statements = [];
  for (let i = 0; i < decisions.length; i += 10) {
    const chunk = decisions.slice(i, i + 10).map((d) => ({ ...d, projectId, via, decidedAt: now }));
    statements.push(db.insert(automationMatches).values(chunk).onConflictDoNothing());
  }
  for (const [ruleId, s] of stats) {
    statements.push(
      db
        .insert(automationStats)
        .values({ ruleId, bucketStart, ...s })
        .onConflictDoUpdate({
          target: [automationStats.ruleId, automationStats.bucketStart],
          set: {
            checked: sql`${automationStats.checked} + ${s.checked}`,
            matched: sql`${automationStats.matched} + ${s.matched}`,
            sampled: sql`${automationStats.sampled} + ${s.sampled}`,
            routed: sql`${automationStats.routed} + ${s.routed}`,
            overQuota: sql`${automationStats.overQuota} + ${s.overQuota}`,
            errors: sql`${automationStats.errors} + ${s.errors}`,
          },
        }),
    );
  }
  const lastRouted = new Map<string, string>();
  for (const d of decisions) if (d.outcome === 'routed') lastRouted.set(d.ruleId, d.traceId);
  for (const [ruleId, traceId] of lastRouted) {
    statements.push(db.update(automationRules).set({ lastRoutedTraceId: traceId, lastRoutedAt: now }).where(eq(automationRules.id, ruleId)));
  }
  if (statements.length) await db.batch(statements as [typeof statements[0], ...typeof statements]);
}

/** Routed count of a rule since `since` (the start of its quota window). */
export async function routedSince(db: Db, ruleId: string, since: number): Promise<number> {
  const row = await db
    .select({ n: sql<number>`coalesce(sum(${automationStats.routed}), 0)` })
    .from(automationStats)
    .where(and(eq(automationStats.ruleId, ruleId), gte(automationStats.bucketStart, since)))
    .get();
  return row?.n ?? 0;
}

export async function ruleStats(db: Db, ruleId: string, since: number) {
  return db
    .select()
    .from(automationStats)
    .where(and(eq(automationStats.ruleId, ruleId), gte(automationStats.bucketStart, since)))
    .orderBy(automationStats.bucketStart)
    .all();
}

export type BackfillRow = typeof automationBackfills.$inferSelect;

export async function findBackfill(db: Db, projectId: string, ruleId: string, jobId: string): Promise<BackfillRow | null> {
  return (
    (await db
      .select()
      .from(automationBackfills)
      .where(and(eq(automationBackfills.projectId, projectId), eq(automationBackfills.ruleId, ruleId), eq(automationBackfills.id, jobId)))
      .get()) ?? null
  );
}

export async function listBackfills(db: Db, projectId: string, ruleId: string): Promise<BackfillRow[]> {
  return db
    .select()
    .from(automationBackfills)
    .where(and(eq(automationBackfills.projectId, projectId), eq(automationBackfills.ruleId, ruleId)))
    .orderBy(desc(automationBackfills.createdAt))
    .limit(20)
    .all();
}

/** Whether a rule with this id exists in any of the databases (a client-supplied id must be new everywhere). */
export async function ruleIdInUse(dbs: D1Database[], ruleId: string): Promise<boolean> {
  const found = await Promise.all(dbs.map((d1) => d1.prepare('SELECT 1 AS x FROM automation_rules WHERE id = ?').bind(ruleId).first()));
  return found.some((r) => r !== null);
}
