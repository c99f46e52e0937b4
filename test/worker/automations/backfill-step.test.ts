import { describe, expect, it } from 'vitest';
import { BACKFILL_PAGE, backfillStep } from '../../../worker/automations/backfill';
import { getDb } from '../../../worker/db/client';
import { automationBackfills } from '../../../worker/db/automations';
import { call, projectEnvOf, shardOf } from '../helpers';
import { makeQueue, queueProject, seedTraces, type QueueProject } from '../queues/fixtures';

/** A rule over `condition` and a running backfill job of it over the last hour, written without enqueueing a step. */
async function job(p: QueueProject, condition: unknown): Promise<{ ruleId: string; jobId: string }> {
  const { queueId } = await makeQueue(p);
  const rule = await call('POST', '/api/v1/automations', p.admin, { name: 'r', condition, actions: [{ type: 'queue', queueId }] });
  expect(rule.status, rule.text).toBe(201);
  const jobId = crypto.randomUUID();
  await getDb(await shardOf(p.projectId))
    .insert(automationBackfills)
    .values({ id: jobId, projectId: p.projectId, ruleId: rule.body.id, fromMs: Date.now() - 3_600_000, toMs: Date.now() + 60_000, status: 'running', createdBy: null });
  return { ruleId: rule.body.id, jobId };
}

async function scannedAfterOneStep(p: QueueProject, condition: unknown): Promise<{ more: boolean; scanned: number }> {
  const { ruleId, jobId } = await job(p, condition);
  const more = await backfillStep(await projectEnvOf(p.projectId), { projectId: p.projectId, ruleId, jobId });
  const res = await call('GET', `/api/v1/automations/${ruleId}/backfills/${jobId}`, p.admin);
  return { more, scanned: res.body.scanned };
}

describe('automation backfill steps', () => {
  it('reads one bounded page per step, smaller when the rule reads span attributes from R2', async () => {
    const p = await queueProject();
    await seedTraces(p.key, BACKFILL_PAGE.spans + 10);
    expect(await scannedAfterOneStep(p, { all: [{ spanAttribute: { key: 'gen_ai.request.model', op: 'exists' } }] })).toEqual({ more: true, scanned: BACKFILL_PAGE.spans });
    expect(await scannedAfterOneStep(p, { all: [{ service: 'test-svc' }] })).toEqual({ more: false, scanned: BACKFILL_PAGE.spans + 10 });
  });
});
