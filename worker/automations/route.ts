import type { StoredRule } from '../data/automations';
import { addRecordsFromTraces } from '../datasets/from-traces';
import { HttpError } from '../lib/errors';
import { addItems } from '../queues/service';
import type { ProjectEnv } from '../data/shards';

/**
 * Carries out a rule's actions for traces it routed. Both targets are idempotent (a trace already in
 * the queue or dataset is skipped, one a person removed is never re-added), so a retry is harmless.
 * A target that no longer exists or is archived is skipped with a log line instead of failing the
 * batch forever; other errors propagate so the Queue retries.
 */
export async function routeTraces(env: ProjectEnv, projectId: string, rule: StoredRule, traceIds: string[]): Promise<void> {
  const source = { ruleId: rule.id, ruleVersion: rule.version };
  for (const action of rule.actions) {
    try {
      if (action.type === 'queue') await addItems(env, projectId, action.queueId, traceIds, { source });
      else await addRecordsFromTraces(env, projectId, action.datasetId, traceIds, (action.mapping ?? {}) as Parameters<typeof addRecordsFromTraces>[4], { source });
    } catch (err) {
      if (err instanceof HttpError && (err.status === 404 || err.status === 409)) {
        console.warn(JSON.stringify({ level: 'warn', msg: 'automation target unavailable', ruleId: rule.id, action, error: err.message }));
        continue;
      }
      throw err;
    }
  }
}
