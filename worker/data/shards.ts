import { NotFound, ServiceUnavailable } from '../lib/errors';

/**
 * Where a project's rows live. The control database (binding `DB`) holds people, sessions, projects,
 * memberships, API keys and invites; each data shard (binding `DB_SHARD_<n>`) holds whole projects:
 * their traces, signals, rules, queues' copies, labels, datasets, ops counters and dead letters. A
 * project's shard is `projects.shard` in the control database; 'DB' names the control database itself,
 * which doubles as the "legacy shard" of projects made before shards existed. Every database has every
 * table (one migrations directory for all), so a project can live on any of them.
 *
 * Nothing joins across the control database and a shard: code reads a project's settings from the
 * control database and its data from `projectShard(...)`, and this module is the one place that knows
 * the mapping.
 */

/** The D1 bindings of the Worker: the control database and the shards configured in wrangler.toml. */
export type Databases = Pick<Env, 'DB'>;

/** The control database's binding, also the shard name of legacy projects. */
export const CONTROL = 'DB';
const SHARD_BINDING = /^DB_SHARD_(\d+)$/;

/** How long an isolate trusts a project's shard assignment; moving a project (README, "Shards") waits this long. */
export const SHARD_CACHE_MS = 60_000;

const cache = new Map<string, { binding: string; until: number }>();
/** Shards this isolate has already registered in the control table `shards`. */
const registered = new Set<string>();

const shardNumber = (binding: string): number => Number(SHARD_BINDING.exec(binding)?.[1] ?? -1);

/** The shard bindings configured (`DB_SHARD_<n>`), in shard-number order. The control database is not among them. */
export function shardBindings(env: object): string[] {
  return Object.keys(env)
    .filter((k) => SHARD_BINDING.test(k) && (env as Record<string, unknown>)[k])
    .sort((a, b) => shardNumber(a) - shardNumber(b));
}

/** Every database that may hold project data: the control database (legacy projects) and each shard. */
export function dataBindings(env: object): string[] {
  return [CONTROL, ...shardBindings(env)];
}

/** The D1 binding named `binding` ('DB' or `DB_SHARD_<n>`); throws when wrangler.toml no longer configures it. */
export function shardDb(env: Databases, binding: string): D1Database {
  const db = binding === CONTROL ? env.DB : SHARD_BINDING.test(binding) ? (env as Record<string, unknown>)[binding] as D1Database | undefined : undefined;
  if (!db) throw new Error(`D1 binding ${binding} holds project data but is not configured: add it back to wrangler.toml`);
  return db;
}

/** The binding name of a project's shard, read from the control database; null for an unknown project. */
export async function projectShardName(control: D1Database, projectId: string, now = Date.now()): Promise<string | null> {
  const hit = cache.get(projectId);
  if (hit && hit.until > now) return hit.binding;
  const row = await control.prepare('SELECT shard FROM projects WHERE id = ?').bind(projectId).first<{ shard: string }>();
  if (!row) return null;
  if (cache.size > 10_000) cache.clear();
  cache.set(projectId, { binding: row.shard, until: now + SHARD_CACHE_MS });
  return row.shard;
}

/**
 * The D1 database holding the project's data: one control read per project and isolate a minute,
 * then none. 404 for a project the control database does not know.
 */
export async function projectShard(env: Databases, projectId: string, now = Date.now()): Promise<D1Database> {
  const binding = await projectShardName(env.DB, projectId, now);
  if (binding === null) throw new NotFound('Project');
  return shardDb(env, binding);
}

/** Forgets cached assignments (all, or one project's), e.g. after an operator moved a project. */
export function forgetShardAssignments(projectId?: string): void {
  if (projectId === undefined) cache.clear();
  else cache.delete(projectId);
}

/** Records the configured shards in the control table `shards` (once per isolate); existing rows keep their settings. */
export async function registerShards(env: Databases): Promise<void> {
  const fresh = shardBindings(env).filter((b) => !registered.has(b));
  if (!fresh.length) return;
  await env.DB.prepare(`INSERT OR IGNORE INTO shards (binding) SELECT value FROM json_each(?)`).bind(JSON.stringify(fresh)).run();
  for (const b of fresh) registered.add(b);
}

export interface ShardLoad {
  binding: string;
  location: string;
  acceptingNew: boolean;
  projects: number;
}

/** Every configured shard (and the control database, when it still holds legacy projects) with its project count. */
export async function shardLoads(env: Databases): Promise<ShardLoad[]> {
  await registerShards(env);
  const { results } = await env.DB.prepare(
    `SELECT b.value AS binding, coalesce(s.location, 'default') AS location, coalesce(s.accepting_new, 0) AS acceptingNew,
       (SELECT count(*) FROM projects p WHERE p.shard = b.value) AS projects
     FROM json_each(?) b LEFT JOIN shards s ON s.binding = b.value`,
  )
    .bind(JSON.stringify(dataBindings(env)))
    .all<{ binding: string; location: string; acceptingNew: number; projects: number }>();
  return results
    .map((r) => ({ ...r, acceptingNew: r.binding !== CONTROL && r.acceptingNew === 1, projects: Number(r.projects) }))
    .filter((r) => r.binding !== CONTROL || r.projects > 0);
}

/**
 * The shard of a new project: among the configured shards that accept new projects, the one with the
 * fewest projects (ties go to the lowest number). Project count stands in for load: it is what the
 * control database knows without asking every shard, and a shard's size can be watched on the
 * operations page. Without any `DB_SHARD_<n>` binding everything stays in the control database.
 */
export async function pickShard(env: Databases): Promise<string> {
  if (!shardBindings(env).length) return CONTROL;
  const open = (await shardLoads(env)).filter((s) => s.acceptingNew);
  const chosen = leastLoaded(open);
  if (!chosen) throw new ServiceUnavailable('No data shard accepts new projects; add a DB_SHARD_<n> binding to wrangler.toml and deploy.', 60);
  return chosen;
}

/** The binding with the fewest projects; ties go to the lowest shard number. Null for none. */
export function leastLoaded(loads: Pick<ShardLoad, 'binding' | 'projects'>[]): string | null {
  let best: Pick<ShardLoad, 'binding' | 'projects'> | null = null;
  for (const s of loads) {
    if (!best || s.projects < best.projects || (s.projects === best.projects && shardNumber(s.binding) < shardNumber(best.binding))) best = s;
  }
  return best?.binding ?? null;
}

/**
 * What a project-scoped service works with: the project's shard for its data, the control database
 * for people and settings, and the Worker's other bindings. The shard bindings themselves are left
 * out, so a service cannot reach another project's shard by accident.
 */
export type ProjectEnv = Omit<Env, 'DB' | `DB_SHARD_${number}`> & { control: D1Database; shard: D1Database };

/** The project's `ProjectEnv`, off the request path (the queue consumer, the annotation queue's object). */
export async function projectEnv(env: Env, projectId: string): Promise<ProjectEnv> {
  return { ...env, control: env.DB, shard: await projectShard(env, projectId) };
}

/** D1's maximum database size: the ceiling of one shard, so of one project. */
export const SHARD_LIMIT_BYTES = 10 * 1000 ** 3;
/** From this share of the limit on, the operations page warns (README, "Shards": what to do). */
export const SHARD_WARN_RATIO = 0.8;

export interface ShardStatus extends ShardLoad {
  /** The database's size as D1 reports it after a query (`meta.size_after`); null when it does not. */
  bytes: number | null;
  limitBytes: number;
  nearLimit: boolean;
}

/** The shard of a project with its project count and size, for the operations page. */
export async function projectShardStatus(env: Databases, projectId: string): Promise<ShardStatus> {
  const binding = await projectShardName(env.DB, projectId);
  if (binding === null) throw new NotFound('Project');
  const [loads, probe] = await Promise.all([shardLoads(env), shardDb(env, binding).prepare('SELECT 1').run()]);
  const load = loads.find((l) => l.binding === binding) ?? { binding, location: 'default', acceptingNew: false, projects: 1 };
  const size = (probe.meta as { size_after?: number }).size_after;
  const bytes = typeof size === 'number' && size > 0 ? size : null;
  return { ...load, bytes, limitBytes: SHARD_LIMIT_BYTES, nearLimit: bytes !== null && bytes >= SHARD_WARN_RATIO * SHARD_LIMIT_BYTES };
}
