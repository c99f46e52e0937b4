import { touchedMessages } from './messages';

/**
 * Announces changed traces to the post-ingest consumer, where automations re-check them. New spans
 * are announced after the settle window (`delaySeconds`), so rules see a finished trace; late
 * signals are announced at once.
 */
export async function enqueueTouched(env: Env, projectId: string, traceIds: string[], delaySeconds = 0): Promise<void> {
  const unique = [...new Set(traceIds)];
  if (!unique.length) return;
  await env.POST_INGEST.sendBatch(touchedMessages(projectId, unique).map((body) => ({ body, delaySeconds })));
}
