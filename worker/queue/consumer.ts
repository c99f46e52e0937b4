import { recomputeTraces } from '../data/trace-index';
import { PostIngestMessage } from './messages';

/**
 * Post-ingest work, at least once: each message names traces that changed. Today it re-derives
 * their aggregates (idempotent); automations hook in here. A failing message is retried alone.
 */
export async function handlePostIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = PostIngestMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: 'error', msg: 'dropping malformed queue message', id: message.id }));
      message.ack();
      continue;
    }
    try {
      await recomputeTraces(env.DB, parsed.data.projectId, parsed.data.traceIds);
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: 'warn', msg: 'post-ingest failed, will retry', id: message.id, error: String(err) }));
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
