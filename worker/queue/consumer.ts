import { backfillStep } from '../automations/backfill';
import { runAutomations, settleMs } from '../automations/run';
import { PostIngestMessage } from './messages';

/**
 * Post-ingest work, at least once: run automations on the touched traces that have settled (the
 * trace row's `updated_at` is its last span's arrival, set at ingest); backfill steps chain themselves. A failing message is retried
 * alone with backoff, and lands in the dead-letter queue after `max_retries`.
 */
export async function handlePostIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = PostIngestMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: 'error', msg: 'dropping malformed queue message', id: message.id }));
      message.ack();
      continue;
    }
    const m = parsed.data;
    try {
      if (m.type === 'traces.touched') {
        await runAutomations(env, m.projectId, m.traceIds, { now: Date.now(), via: 'live', settleMs: settleMs(env) });
      } else if (await backfillStep(env, m)) {
        await env.POST_INGEST.send(m);
      }
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ level: 'warn', msg: 'post-ingest failed, will retry', type: m.type, id: message.id, error: String(err) }));
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
