import { and, eq, sql } from 'drizzle-orm';
import { findRule } from '../data/automations';
import { listTraces } from '../data/trace-index';
import { getDb } from '../db/client';
import { automationBackfills } from '../db/automations';
import { runAutomations } from './run';
import { usesSpanAttributes } from './snapshots';
import type { ProjectEnv } from '../data/shards';

/**
 * Traces per backfill step: one Queue message each, so a step stays well inside a consumer's limits
 * (and short beside the reads the same isolate serves). A rule that reads span attributes costs a D1
 * lookup and an R2 read per trace, so its steps are smaller.
 */
export const BACKFILL_PAGE = { index: 200, spans: 50 } as const;

/**
 * One step of a backfill: the next page of the range (oldest first, keyset cursor saved in D1), run
 * through the rule as live routing would — the match log makes the two idempotent with each other.
 * Returns true when another step should follow.
 */
export async function backfillStep(env: ProjectEnv, msg: { projectId: string; ruleId: string; jobId: string }, now = Date.now()): Promise<boolean> {
  const db = getDb(env.shard);
  const job = await db
    .select()
    .from(automationBackfills)
    .where(and(eq(automationBackfills.id, msg.jobId), eq(automationBackfills.projectId, msg.projectId)))
    .get();
  if (!job || job.status !== 'running') return false;
  const rule = await findRule(db, job.projectId, job.ruleId);
  if (!rule) {
    await db.update(automationBackfills).set({ status: 'failed', error: 'The rule was deleted.', updatedAt: now }).where(eq(automationBackfills.id, job.id));
    return false;
  }
  const page = await listTraces(env.shard, job.projectId, { from: job.fromMs, to: job.toMs }, {
    cursor: job.cursor ?? undefined,
    limit: usesSpanAttributes(rule.condition) ? BACKFILL_PAGE.spans : BACKFILL_PAGE.index,
    sort: 'time',
    order: 'asc',
  });
  const totals = await runAutomations(env, job.projectId, page.data.map((t) => t.traceId), { now, via: job.id, rule, settleMs: 0 });
  const done = !page.nextCursor;
  // Guarded on status, so a cancel that landed meanwhile is not overwritten.
  await db
    .update(automationBackfills)
    .set({
      cursor: page.nextCursor,
      scanned: sql`${automationBackfills.scanned} + ${page.data.length}`,
      matched: sql`${automationBackfills.matched} + ${totals.matched}`,
      routed: sql`${automationBackfills.routed} + ${totals.routed}`,
      status: done ? 'done' : 'running',
      updatedAt: now,
    })
    .where(and(eq(automationBackfills.id, job.id), eq(automationBackfills.status, 'running')));
  return !done;
}
