import { touchedMessages } from './messages';

/** Announces changed traces to the post-ingest consumer (automations re-check them there). */
export async function enqueueTouched(env: Env, projectId: string, traceIds: string[]): Promise<void> {
  const unique = [...new Set(traceIds)];
  if (!unique.length) return;
  await env.POST_INGEST.sendBatch(touchedMessages(projectId, unique).map((body) => ({ body })));
}
