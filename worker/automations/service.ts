import { z } from 'zod';
import { deleteRule, findRule, listBackfills, ruleStats, saveRule, type StoredRule } from '../data/automations';
import { getDatasetRow } from '../data/datasets';
import { getDb } from '../db/client';
import { automationBackfills } from '../db/automations';
import { idTaken, isUniqueViolation, NotFound, Unprocessable } from '../lib/errors';
import { loadQueue } from '../queues/service';
import type { CreateRuleBody, Rule, RuleAction, UpdateRuleBody } from '../schemas/automations';
import type { ProjectEnv } from '../data/shards';

/** Every action must name a queue or dataset of this project: a rule never routes across projects. */
async function checkTargets(env: ProjectEnv, projectId: string, actions: RuleAction[]): Promise<void> {
  for (const a of actions) {
    try {
      if (a.type === 'queue') await loadQueue(env, projectId, a.queueId);
      else if (!(await getDatasetRow(getDb(env.shard), { projectId, datasetId: a.datasetId }))) throw new NotFound('Dataset');
    } catch (err) {
      if (err instanceof NotFound) throw new Unprocessable(`The ${a.type} "${a.type === 'queue' ? a.queueId : a.datasetId}" does not exist in this project.`, { action: a });
      throw err;
    }
  }
}

export async function getRule(env: Pick<ProjectEnv, 'shard'>, projectId: string, ruleId: string): Promise<StoredRule> {
  const rule = await findRule(getDb(env.shard), projectId, ruleId);
  if (!rule) throw new NotFound('Rule');
  return rule;
}

/** Creates a rule at version 1; a client may pass the id it previewed with, so the sampling draws match. */
export async function createRule(env: ProjectEnv, projectId: string, body: CreateRuleBody & { id?: string }, createdBy: string | null): Promise<StoredRule> {
  await checkTargets(env, projectId, body.actions);
  const rule: Rule = { ...body, id: body.id ?? crypto.randomUUID(), version: 1 };
  try {
    await saveRule(getDb(env.shard), projectId, rule, createdBy, true);
  } catch (err) {
    if (isUniqueViolation(err)) throw idTaken('rule');
    throw err;
  }
  return getRule(env, projectId, rule.id);
}

/** Applies a change; a change of condition, sampling, actions, quota or name makes a new version. */
export async function updateRule(env: ProjectEnv, projectId: string, ruleId: string, body: UpdateRuleBody, by: string | null): Promise<StoredRule> {
  const current = await getRule(env, projectId, ruleId);
  if (body.actions) await checkTargets(env, projectId, body.actions);
  const { quota, ...rest } = body;
  const next: Rule = { ...current, ...rest, quota: quota === null ? undefined : (quota ?? current.quota) };
  const defining = (r: Rule) => JSON.stringify([r.name, r.condition, r.sampling, r.actions, r.quota ?? null]);
  const version = defining(next) === defining(current) ? current.version : current.version + 1;
  await saveRule(getDb(env.shard), projectId, { ...next, version }, by, false);
  return getRule(env, projectId, ruleId);
}

export async function removeRule(env: ProjectEnv, projectId: string, ruleId: string): Promise<void> {
  await getRule(env, projectId, ruleId);
  await deleteRule(getDb(env.shard), projectId, ruleId);
}

export const BackfillBody = z.object({ from: z.number().int().nonnegative(), to: z.number().int().positive() }).refine((b) => b.from < b.to, {
  message: '`from` must be before `to`',
  path: ['from'],
});

/** Starts a backfill: the Queue consumer walks the range page by page, resumable from the saved cursor. */
export async function startBackfill(env: ProjectEnv, projectId: string, ruleId: string, range: { from: number; to: number }, by: string | null) {
  await getRule(env, projectId, ruleId);
  const id = crypto.randomUUID();
  await getDb(env.shard).insert(automationBackfills).values({ id, projectId, ruleId, fromMs: range.from, toMs: range.to, status: 'running', createdBy: by });
  await env.POST_INGEST.send({ type: 'automation.backfill', projectId, ruleId, jobId: id });
  return id;
}

export async function ruleDetail(env: ProjectEnv, projectId: string, ruleId: string, days = 7) {
  const rule = await getRule(env, projectId, ruleId);
  const db = getDb(env.shard);
  const since = Date.now() - days * 86_400_000;
  const [stats, backfills] = await Promise.all([ruleStats(db, ruleId, since), listBackfills(db, projectId, ruleId)]);
  return { rule, stats, backfills };
}
