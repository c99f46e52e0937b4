import { shardDb, type Databases } from '../data/shards';
import { log } from './log';
import {
  ADD_COUNTER_SQL, FREED_PAYLOADS_SQL, PER_TRACE_TABLES, RELEASE_PAYLOADS_SQL, SCAN_SQL, SIGNAL_TABLES, deleteSql, orphanSignalsSql,
  type PerTraceTable,
} from './retention-sql';

/**
 * Per-project retention: traces whose start is older than `projects.retention_days` go, with their
 * spans, signals and match-log rows, in bounded batches, oldest first. A trace in a queue (item not
 * removed) or behind a dataset record stays. An R2 payload (one object per ingest request, possibly
 * holding several traces) goes only once no remaining span points into it.
 *
 * D1 goes first, in one transaction per batch that re-checks what is kept, then R2: a crash in between
 * can leave an unreferenced object behind (logged), never a kept trace without its payload.
 * A run stops at its time or call budget; the next run starts again from the oldest trace. Once a project's
 * expired traces are all looked at, expired evaluations and feedback whose trace never arrived go too.
 */

export interface RetentionOptions {
  /** The run's clock (the cron's scheduled time): cutoffs are `now - days`. */
  now: number;
  /** Traces per delete batch. */
  batchTraces?: number;
  /** Spans per delete batch (a batch always takes at least one trace). */
  batchSpans?: number;
  /** Wall time for the whole run. */
  budgetMs?: number;
  /** D1 and R2 calls for the whole run: D1 allows 50 queries per invocation on the Free plan. */
  maxCalls?: number;
  /** Measures the budget; tests pass their own. */
  clock?: () => number;
}

const DEFAULTS = { batchTraces: 200, batchSpans: 4_000, budgetMs: 25_000, maxCalls: 40 };
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Keys per R2 delete call (R2's maximum is 1,000). */
const KEYS_PER_DELETE = 1_000;
/** Orphaned signals per table and statement; the next run takes more. */
const ORPHANS_PER_STATEMENT = 1_000;
const R2_ATTEMPTS = 3;
export const RETENTION_METRIC = 'retention.traces_deleted';

type Counts = Record<PerTraceTable, number> & {
  spans: number;
  payloads: number;
  payloadsFailed: number;
  keptInQueue: number;
  keptInDataset: number;
  /** Expired evaluations and feedback of traces that never arrived. */
  orphanSignals: number;
};

export interface ProjectRetention extends Counts {
  projectId: string;
  retentionDays: number;
  cutoff: number;
  /** Every expired trace was looked at in this run. */
  done: boolean;
}

export interface RetentionReport {
  projects: ProjectRetention[];
  calls: number;
  elapsedMs: number;
  /** False when the run stopped at its budget with work left for the next run. */
  complete: boolean;
}

interface ScanRow {
  traceId: string;
  startMs: number;
  spanCount: number;
  queued: number;
  kept: number;
}

type RetentionEnv = Databases & Pick<Env, 'PAYLOADS'>;

interface Run {
  env: RetentionEnv;
  o: Required<Omit<RetentionOptions, 'clock'>> & { clock: () => number };
  started: number;
  calls: number;
}

interface State extends ProjectRetention {
  cursor: [number, string];
  /** The project's shard. */
  db: D1Database;
}

const zero = (): Counts => ({
  evaluations: 0, feedback: 0, trace_evals: 0, automation_matches: 0, trace_spans: 0, spans: 0, traces: 0,
  payloads: 0, payloadsFailed: 0, keptInQueue: 0, keptInDataset: 0, orphanSignals: 0,
});

/**
 * Runs retention over every project that has it; projects take turns, one batch each. The projects and
 * their settings come from the control database, their traces from each one's shard.
 */
export async function runRetention(env: RetentionEnv, opts: RetentionOptions): Promise<RetentionReport> {
  const clock = opts.clock ?? Date.now;
  const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const run: Run = { env, o: { ...DEFAULTS, ...given, now: opts.now, clock }, started: clock(), calls: 1 };
  const { results } = await env.DB
    .prepare(`SELECT id, retention_days AS days, shard FROM projects WHERE retention_days > 0 ORDER BY id`)
    .all<{ id: string; days: number; shard: string }>();
  const states: State[] = results.map((p) => ({
    projectId: p.id, retentionDays: p.days, cutoff: opts.now - p.days * DAY_MS, done: false, cursor: [Number.MIN_SAFE_INTEGER, ''], db: shardDb(env, p.shard), ...zero(),
  }));
  let active = states;
  while (active.length && withinBudget(run)) {
    for (const s of active) {
      if (!withinBudget(run)) break;
      await step(run, s);
    }
    active = active.filter((s) => !s.done);
  }
  for (const s of states) if (s.done && withinBudget(run)) await deleteOrphanSignals(run, s);
  await recordCounts(run, states);
  const report = { projects: states.map(({ cursor: _, db: _db, ...s }) => s), calls: run.calls, elapsedMs: clock() - run.started, complete: !active.length };
  logReport(opts.now, report);
  return report;
}

/** Room for one more batch: four calls (scan, delete, reference check, R2) plus the counters at the end. */
function withinBudget(run: Run): boolean {
  return run.o.clock() - run.started < run.o.budgetMs && run.calls + 5 <= run.o.maxCalls;
}

/** Scans past kept traces to the next batch of expired ones and deletes it. */
async function step(run: Run, s: State): Promise<void> {
  const { batchTraces, batchSpans } = run.o;
  const limit = batchTraces * 2;
  run.calls++;
  const { results: rows } = await s.db
    .prepare(SCAN_SQL)
    .bind(s.projectId, s.cutoff, s.cursor[0], s.cursor[1], limit)
    .all<ScanRow>();
  const chosen: string[] = [];
  let spans = 0;
  let used = 0;
  for (const r of rows) {
    if (r.kept) {
      if (r.queued) s.keptInQueue++;
      else s.keptInDataset++;
    } else {
      if (chosen.length >= batchTraces || (chosen.length && spans + r.spanCount > batchSpans)) break;
      chosen.push(r.traceId);
      spans += r.spanCount;
    }
    used++;
  }
  if (used) s.cursor = [rows[used - 1].startMs, rows[used - 1].traceId];
  s.done = rows.length < limit && used === rows.length;
  if (chosen.length) await deleteBatch(run, s, chosen, spans);
}

async function deleteBatch(run: Run, s: State, traceIds: string[], spans: number): Promise<void> {
  const { PAYLOADS } = run.env;
  const DB = s.db;
  const args = [s.projectId, JSON.stringify(traceIds), s.cutoff] as const;
  run.calls++;
  const results = await DB.batch([
    DB.prepare(RELEASE_PAYLOADS_SQL).bind(...args),
    ...PER_TRACE_TABLES.map((t) => DB.prepare(deleteSql(t)).bind(...args)),
    DB.prepare(FREED_PAYLOADS_SQL).bind(s.projectId),
  ]);
  const deleted = results.slice(1, 1 + PER_TRACE_TABLES.length);
  PER_TRACE_TABLES.forEach((t, i) => (s[t] += deleted[i].meta.changes ?? 0));
  if (deleted[PER_TRACE_TABLES.indexOf('traces')].meta.changes) s.spans += spans;
  const freed = (results[results.length - 1].results as { payloadKey: string }[]).map((r) => r.payloadKey);
  for (let i = 0; i < freed.length; i += KEYS_PER_DELETE) {
    const chunk = freed.slice(i, i + KEYS_PER_DELETE);
    if (await deletePayloads(run, PAYLOADS, chunk)) s.payloads += chunk.length;
    else s.payloadsFailed += chunk.length;
  }
}

/** One batch per project: expired signals (both tables) whose trace does not exist, up to a bound per table. */
async function deleteOrphanSignals(run: Run, s: State): Promise<void> {
  const DB = s.db;
  run.calls++;
  const results = await DB.batch(SIGNAL_TABLES.map((t) => DB.prepare(orphanSignalsSql(t)).bind(s.projectId, s.cutoff, ORPHANS_PER_STATEMENT)));
  for (const r of results) s.orphanSignals += r.meta.changes ?? 0;
}

/** Deletes R2 objects, retrying; false (logged with the keys) when R2 kept failing. */
async function deletePayloads(run: Run, bucket: R2Bucket, keys: string[]): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    run.calls++;
    try {
      await bucket.delete(keys);
      return true;
    } catch (err) {
      if (attempt >= R2_ATTEMPTS) {
        log.error('retention: payloads left unreferenced in R2', { keys: keys.length, sample: keys.slice(0, 5), error: err });
        return false;
      }
    }
  }
}

/** One `ops_counters` row per project that lost traces, in the run's minute, on the project's shard (one batch per shard). */
async function recordCounts(run: Run, states: State[]): Promise<void> {
  const hit = states.filter((s) => s.traces > 0);
  if (!hit.length) return;
  const bucket = Math.floor(run.o.now / MINUTE_MS) * MINUTE_MS;
  const byShard = new Map<D1Database, State[]>();
  for (const s of hit) byShard.set(s.db, [...(byShard.get(s.db) ?? []), s]);
  for (const [DB, group] of byShard) {
    run.calls++;
    try {
      await DB.batch(group.map((s) => DB.prepare(ADD_COUNTER_SQL).bind(RETENTION_METRIC, s.projectId, bucket, s.traces)));
    } catch (err) {
      log.warn('retention: counters not recorded', { error: err });
    }
  }
}

function logReport(now: number, r: RetentionReport): void {
  const totals = zero();
  for (const p of r.projects) for (const k of Object.keys(totals) as (keyof Counts)[]) totals[k] += p[k];
  const touched = r.projects.filter((p) => p.traces || p.orphanSignals || p.payloadsFailed || p.keptInQueue || p.keptInDataset || !p.done);
  log.info('retention run', {
    now: new Date(now).toISOString(), complete: r.complete, elapsedMs: r.elapsedMs, calls: r.calls, projectsWithRetention: r.projects.length,
    ...totals, projects: touched.map((p) => ({ projectId: p.projectId, retentionDays: p.retentionDays, done: p.done, traces: p.traces, spans: p.spans, payloads: p.payloads, payloadsFailed: p.payloadsFailed, keptInQueue: p.keptInQueue, keptInDataset: p.keptInDataset, orphanSignals: p.orphanSignals })),
  });
}
