import { shardBindings } from '../data/shards';
import { log } from './log';

/**
 * The bindings `/healthz` checks. Cheap enough to poll: one `SELECT 1` per D1 database (the control
 * database as `d1`, each data shard as `d1.DB_SHARD_<n>`), one R2 `head` of a key that
 * need not exist (a miss is still a round trip), and two presence checks — a Queue producer and a
 * Durable Object namespace cannot be probed without sending work or waking an object.
 */

export type CheckName = 'd1' | `d1.${string}` | 'r2' | 'queue' | 'durableObjects';
export interface CheckResult {
  ok: boolean;
  ms: number;
  /** 'binding missing', 'timed out after N ms' or 'failed' (the detail goes to the log, not to the public answer). */
  error?: string;
}

export const HEALTH_PROBE_KEY = 'healthz/probe';
export const CHECK_TIMEOUT_MS = 2_000;

class Missing extends Error {}
class TimedOut extends Error {}

async function timed(name: CheckName, run: () => unknown, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(run),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new TimedOut()), timeoutMs))),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    const error = err instanceof Missing ? 'binding missing' : err instanceof TimedOut ? `timed out after ${timeoutMs} ms` : 'failed';
    log.warn('health check failed', { check: name, error: err instanceof Missing || err instanceof TimedOut ? error : err });
    return { ok: false, ms: Date.now() - started, error };
  } finally {
    clearTimeout(timer);
  }
}

function present<T>(binding: T | undefined, method: keyof T): T {
  if (!binding || typeof binding[method] !== 'function') throw new Missing();
  return binding;
}

type HealthEnv = Partial<Pick<Env, 'DB' | 'PAYLOADS' | 'POST_INGEST' | 'ANNOTATION_QUEUE'>>;

/** Runs every check at once; each is bounded by `timeoutMs`. */
export async function checkBindings(env: HealthEnv, timeoutMs = CHECK_TIMEOUT_MS): Promise<Record<'d1' | 'r2' | 'queue' | 'durableObjects', CheckResult> & Record<`d1.${string}`, CheckResult>> {
  const shards = shardBindings(env);
  const [d1, r2, queue, durableObjects, ...shardChecks] = await Promise.all([
    timed('d1', () => present(env.DB, 'prepare').prepare('SELECT 1').first(), timeoutMs),
    timed('r2', () => present(env.PAYLOADS, 'head').head(HEALTH_PROBE_KEY), timeoutMs),
    timed('queue', () => present(env.POST_INGEST, 'send'), timeoutMs),
    timed('durableObjects', () => present(env.ANNOTATION_QUEUE, 'idFromName'), timeoutMs),
    ...shards.map((b) => timed(`d1.${b}`, () => present((env as Record<string, D1Database | undefined>)[b], 'prepare').prepare('SELECT 1').first(), timeoutMs)),
  ]);
  return { d1, r2, queue, durableObjects, ...Object.fromEntries(shards.map((b, i) => [`d1.${b}`, shardChecks[i]])) };
}
