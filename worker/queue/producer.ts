import { count, METRICS } from '../ops/counters';
import { touchedMessages, type PostIngestMessage } from './messages';

/**
 * Sends post-ingest messages and counts them per project, so the operations page can estimate the
 * backlog (sent minus consumed: a Queue binding cannot report its depth).
 */
export async function enqueue(env: Pick<Env, 'POST_INGEST'>, messages: PostIngestMessage[], delaySeconds = 0): Promise<void> {
  if (!messages.length) return;
  await env.POST_INGEST.sendBatch(messages.map((body) => ({ body, delaySeconds })));
  for (const m of messages) count(METRICS.enqueued, m.projectId);
}

/**
 * Announces changed traces to the post-ingest consumer, where automations re-check them. New spans
 * are announced after the settle window (`delaySeconds`), so rules see a finished trace; late
 * signals are announced at once.
 */
export async function enqueueTouched(env: Pick<Env, 'POST_INGEST'>, projectId: string, traceIds: string[], delaySeconds = 0): Promise<void> {
  const unique = [...new Set(traceIds)];
  if (!unique.length) return;
  await enqueue(env, touchedMessages(projectId, unique), delaySeconds);
}
