import { backfillStep } from '../automations/backfill';
import { runAutomations, settleMs } from '../automations/run';
import { CONTROL, projectEnv, projectShardName, shardDb } from '../data/shards';
import { getDb } from '../db/client';
import { count, counters, METRICS } from '../ops/counters';
import { projectOf, storeDeadLetters } from '../ops/dead-letters';
import { log } from '../ops/log';
import { storeReceived, type ReceivedMessage } from '../ingest/received';
import { PostIngestMessage } from './messages';
import { enqueue } from './producer';

/**
 * The Worker's `queue` handler, for both queues it consumes: the post-ingest queue, and its
 * dead-letter queue (named `<queue>-dlq` in wrangler.toml), whose messages are stored for the
 * operations page. Counters are flushed at the end of a batch when due, like after a request.
 */
export async function handlePostIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) await handleDeadLetters(batch, env);
  else await runPostIngest(batch, env);
  if (counters.due()) await counters.flush(env);
}

/**
 * Post-ingest work, at least once: run automations on the touched traces that have settled (the
 * trace row's `updated_at` is its last span's arrival, set at ingest); backfill steps chain themselves. A failing message is retried
 * alone with backoff, and lands in the dead-letter queue after `max_retries`.
 */
async function runPostIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // Accepted OTLP requests (queued ingest) are stored together, a few writes for the whole batch.
  const received: ReceivedMessage[] = [];
  for (const message of batch.messages) {
    const parsed = PostIngestMessage.safeParse(message.body);
    if (!parsed.success) {
      log.error('dropping malformed queue message', { queue: batch.queue, messageId: message.id, projectId: projectOf(message.body) ?? undefined });
      count(METRICS.consumed, projectOf(message.body) ?? '');
      message.ack();
      continue;
    }
    const m = parsed.data;
    if (m.type === 'spans.received') {
      received.push({ body: m, attempts: message.attempts, ack: () => message.ack(), retry: (o) => message.retry(o) });
      continue;
    }
    try {
      if ((await projectShardName(env.DB, m.projectId)) === null) {
        // No such project in the control database, so no shard and nothing to do (as before shards: no rules ran).
        log.warn('dropping post-ingest message of an unknown project', { queue: batch.queue, type: m.type, messageId: message.id, projectId: m.projectId });
        message.ack();
        count(METRICS.consumed, m.projectId);
        continue;
      }
      const scoped = await projectEnv(env, m.projectId);
      if (m.type === 'traces.touched') {
        await runAutomations(scoped, m.projectId, m.traceIds, { now: Date.now(), via: 'live', settleMs: settleMs(env) });
      } else if (await backfillStep(scoped, m)) {
        await enqueue(env, [m]);
      }
      message.ack();
      count(METRICS.consumed, m.projectId);
    } catch (err) {
      log.warn('post-ingest failed, will retry', { queue: batch.queue, type: m.type, messageId: message.id, attempts: message.attempts, projectId: m.projectId, error: err });
      count(METRICS.retried, m.projectId);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
  if (received.length) await storeReceived(env, received);
}

/**
 * Stores each dead letter (with the project its body names) on that project's shard, one D1 batch
 * per shard (the control database for messages that name no known project), then acks them all. If
 * D1 fails, the whole batch is retried; a message stored twice is kept once (its id is the key).
 */
async function handleDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const now = Date.now();
  const rows = batch.messages.map((m) => ({
    id: m.id,
    queue: batch.queue,
    projectId: projectOf(m.body),
    body: JSON.stringify(m.body ?? null),
    attempts: m.attempts,
    receivedAt: now,
  }));
  try {
    const byShard = new Map<string, typeof rows>();
    for (const r of rows) {
      const binding = (r.projectId && (await projectShardName(env.DB, r.projectId))) || CONTROL;
      byShard.set(binding, [...(byShard.get(binding) ?? []), r]);
    }
    await Promise.all([...byShard].map(([binding, group]) => storeDeadLetters(getDb(shardDb(env, binding)), group)));
  } catch (err) {
    log.error('storing dead letters failed, will retry', { queue: batch.queue, messages: rows.length, error: err });
    batch.retryAll({ delaySeconds: 30 });
    return;
  }
  for (const r of rows) {
    count(METRICS.deadLettered, r.projectId ?? '');
    log.warn('post-ingest message dead-lettered', { queue: batch.queue, messageId: r.id, projectId: r.projectId ?? undefined });
  }
  batch.ackAll();
}
