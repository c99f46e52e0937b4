import { projectIdsOfUser, queueIdsOfProjects } from '../data/live-access';
import { projectShard } from '../data/shards';
import { queueStub } from './service';

/**
 * Tells the live queues of these projects to re-check their sockets now, so a sign-out, a removal,
 * a role change or a revoked key closes idle sockets too (commands re-check on their own). Failures
 * are logged, not thrown: the per-command check still holds.
 */
export async function revalidateLiveQueues(env: Env, projectIds: string[]): Promise<void> {
  // Queues live on each project's shard.
  const perProject = await Promise.all(projectIds.map(async (id) => queueIdsOfProjects(await projectShard(env, id), [id]).catch(() => [] as string[])));
  const queueIds = perProject.flat();
  const results = await Promise.allSettled(queueIds.map((id) => queueStub(env, id).revalidate()));
  const failed = results.filter((r) => r.status === 'rejected').length;
  if (failed) console.warn(JSON.stringify({ level: 'warn', msg: 'live queue revalidation failed', failed, of: queueIds.length }));
}

/** The same for every project of a user (sign-out, sign-out everywhere, password change). */
export async function revalidateUserQueues(env: Env, userId: string): Promise<void> {
  await revalidateLiveQueues(env, await projectIdsOfUser(env.DB, userId));
}
