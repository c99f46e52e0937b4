import { getDb } from '../db/client';
import { NotFound, ServiceUnavailable, Unprocessable } from '../lib/errors';
import { PostIngestMessage } from '../queue/messages';
import { enqueue } from '../queue/producer';
import type { ReplayResponse } from '../schemas/ops';
import { findDeadLetter, restoreDeadLetter, takeDeadLetter } from './dead-letters';
import { log } from './log';
import type { ProjectEnv } from '../data/shards';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Sends a dead letter back to the post-ingest queue and deletes it. The row is taken (deleted) before
 * sending, so two concurrent replays send it once; if the send fails the row is put back. Replaying
 * is safe because post-ingest work is idempotent (automations decide each trace once per rule).
 */
export async function replayDeadLetter(env: ProjectEnv, projectId: string, id: string): Promise<ReplayResponse> {
  const db = getDb(env.shard);
  const found = await findDeadLetter(db, projectId, id);
  if (!found) throw new NotFound('Dead letter');
  const parsed = PostIngestMessage.safeParse(parseJson(found.body));
  if (!parsed.success || parsed.data.projectId !== projectId) {
    throw new Unprocessable('This message is not one the post-ingest queue understands, so it cannot be replayed.');
  }
  const taken = await takeDeadLetter(db, projectId, id);
  if (!taken) throw new NotFound('Dead letter');
  try {
    await enqueue(env, [parsed.data]);
  } catch (err) {
    await restoreDeadLetter(db, taken);
    log.error('dead letter replay failed; kept', { deadLetterId: id, error: err });
    throw new ServiceUnavailable('The queue did not take the message; it is still listed. Try again.');
  }
  log.info('dead letter replayed', { deadLetterId: id, type: parsed.data.type });
  return { replayed: id, type: parsed.data.type };
}
