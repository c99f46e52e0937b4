import { createScheduledController, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { RETENTION_METRIC, runRetention } from '../../../worker/ops/retention';
import { FREED_PAYLOADS_SQL, PER_TRACE_TABLES, RELEASE_PAYLOADS_SQL, SCAN_SQL, SIGNAL_TABLES, deleteSql, orphanSignalsSql } from '../../../worker/ops/retention-sql';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, shardOf, type JsonSpanInput } from '../helpers';

const DAY = 86_400_000;
const NOW = Date.now();

/** A project with an admin key and the given retention (null keeps everything). */
async function project(retentionDays: number | null) {
  const { projectId, key, shard } = await makeProject(['admin']);
  await env.DB.prepare('UPDATE projects SET retention_days = ? WHERE id = ?').bind(retentionDays, projectId).run();
  return { projectId, key, shard, auth: { key } };
}

/** One ingest request (one R2 object) holding a trace per start time; returns the trace ids. */
async function ingest(key: string, startsMs: number[], spansPerTrace = 1): Promise<string[]> {
  const ids = startsMs.map(() => hex(16));
  const spans: JsonSpanInput[] = ids.flatMap((t, i) => {
    const root = llmSpan(t, undefined, { startMs: startsMs[i] });
    return [root, ...Array.from({ length: spansPerTrace - 1 }, () => llmSpan(t, root.spanId, { startMs: startsMs[i] + 10 }))];
  });
  expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);
  return ids;
}

async function payloadKeys(projectId: string, traceId: string): Promise<string[]> {
  const row = await (await shardOf(projectId)).prepare('SELECT segments FROM trace_spans WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).first<{ segments: string }>();
  return [...new Set((JSON.parse(row?.segments ?? '[]') as [string][]).map((s) => s[0]))];
}

async function rows(table: string, projectId: string, traceId: string): Promise<number> {
  const r = await (await shardOf(projectId)).prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ? AND trace_id = ?`).bind(projectId, traceId).first<{ n: number }>();
  return r!.n;
}

const inR2 = async (key: string) => (await env.PAYLOADS.head(key)) !== null;
const traceStatus = async (p: { auth: { key: string } }, traceId: string) => (await call('GET', `/api/v1/traces/${traceId}`, p.auth)).status;

/** The Worker's own `scheduled` export, as the Cron Trigger calls it. */
async function scheduled(now: number): Promise<void> {
  await worker.scheduled!(createScheduledController({ scheduledTime: now, cron: '*/15 * * * *' }), env);
}

describe('scheduled retention', () => {
  it('deletes expired traces with their spans, signals, match log and payloads, and keeps fresh ones', async () => {
    const p = await project(30);
    const [old] = await ingest(p.key, [NOW - 40 * DAY], 3);
    const [fresh] = await ingest(p.key, [NOW - 29 * DAY]);
    const [oldKey] = await payloadKeys(p.projectId, old);
    const [freshKey] = await payloadKeys(p.projectId, fresh);
    for (const t of [old, fresh]) {
      expect((await call('POST', '/api/v1/evaluations', p.auth, { items: [{ traceId: t, name: 'faithfulness', score: 0.2, evaluatorKind: 'llm' }] })).status).toBe(200);
      expect((await call('POST', '/api/v1/feedback', p.auth, { items: [{ traceId: t, kind: 'thumbs', value: 'down' }] })).status).toBe(200);
      await (await shardOf(p.projectId)).prepare(`INSERT INTO automation_matches (rule_id, trace_id, project_id, rule_version, outcome, via, decided_at) VALUES ('rule-1', ?, ?, 1, 'not_sampled', 'live', ?)`)
        .bind(t, p.projectId, NOW).run();
    }
    const tables = ['trace_spans', 'evaluations', 'feedback', 'trace_evals', 'automation_matches', 'traces'];
    for (const table of tables) expect(await rows(table, p.projectId, old), table).toBeGreaterThan(0);
    expect(await inR2(oldKey)).toBe(true);

    await scheduled(NOW);

    for (const table of tables) expect(await rows(table, p.projectId, old), table).toBe(0);
    expect(await inR2(oldKey)).toBe(false);
    expect(await traceStatus(p, old)).toBe(404);
    for (const table of tables) expect(await rows(table, p.projectId, fresh), table).toBeGreaterThan(0);
    expect(await inR2(freshKey)).toBe(true);
    const detail = await call('GET', `/api/v1/traces/${fresh}`, p.auth);
    expect([detail.status, detail.body.spans.length]).toEqual([200, 1]);
    const counter = await (await shardOf(p.projectId)).prepare(`SELECT bucket, value FROM ops_counters WHERE metric = ? AND project_id = ?`).bind(RETENTION_METRIC, p.projectId).all();
    expect(counter.results).toEqual([{ bucket: Math.floor(NOW / 60_000) * 60_000, value: 1 }]);
  });

  it('keeps an R2 object shared by several traces until its last span is gone', async () => {
    const p = await project(30);
    const [old, younger] = await ingest(p.key, [NOW - 31 * DAY, NOW - 20 * DAY], 2);
    const [key] = await payloadKeys(p.projectId, old);
    expect(await payloadKeys(p.projectId, younger)).toEqual([key]);

    await scheduled(NOW);
    expect(await rows('traces', p.projectId, old)).toBe(0);
    expect(await inR2(key)).toBe(true);
    const detail = await call('GET', `/api/v1/traces/${younger}`, p.auth);
    expect([detail.status, detail.body.spans.length]).toEqual([200, 2]);

    await scheduled(NOW + 11 * DAY);
    expect(await rows('traces', p.projectId, younger)).toBe(0);
    expect(await inR2(key)).toBe(false);
  });

  it('keeps traces in a queue or behind a dataset record; a removed item does not keep its trace', async () => {
    const p = await project(7);
    const old = NOW - 10 * DAY;
    const [queued, removed, inDataset, droppedFromDataset, plain] = await ingest(p.key, [old, old + 1, old + 2, old + 3, old + 4]);
    const queue = await call('POST', '/api/v1/queues', p.auth, { name: 'Review' });
    expect((await call('POST', `/api/v1/queues/${queue.body.id}/items`, p.auth, { traceIds: [queued, removed] })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/queues/${queue.body.id}/items/${removed}`, p.auth)).status).toBe(204);
    const ds = await call('POST', '/api/v1/datasets', p.auth, { name: `DS ${hex(4)}` });
    const added = await call('POST', `/api/v1/datasets/${ds.body.id}/records/from-traces`, p.auth, { traceIds: [inDataset, droppedFromDataset] });
    expect(added.status, added.text).toBe(200);
    // Removed from the newest version, still in version 1: its provenance keeps naming the trace.
    const recordId = added.body.added.find((a: any) => a.traceId === droppedFromDataset).recordId;
    expect((await call('DELETE', `/api/v1/datasets/${ds.body.id}/records/${recordId}`, p.auth)).status).toBe(200);

    const report = await runRetention(env, { now: NOW });
    const mine = report.projects.find((r) => r.projectId === p.projectId)!;
    expect(mine).toMatchObject({ traces: 2, keptInQueue: 1, keptInDataset: 2, done: true });
    for (const t of [queued, inDataset, droppedFromDataset]) expect(await traceStatus(p, t)).toBe(200);
    for (const t of [removed, plain]) expect(await traceStatus(p, t)).toBe(404);
    // The queue's own record of the removed item stays with the queue.
    expect(await (await shardOf(p.projectId)).prepare('SELECT status FROM queue_items WHERE queue_id = ? AND trace_id = ?').bind(queue.body.id, removed).first()).toEqual({ status: 'removed' });
  });

  it('deletes expired signals whose trace never arrived, and keeps fresh ones and those of existing traces', async () => {
    const p = await project(30);
    const [kept] = await ingest(p.key, [NOW - 5 * DAY]);
    const never = hex(16);
    const neverFresh = hex(16);
    const old = new Date(NOW - 40 * DAY).toISOString();
    const signals = async (traceId: string, timestamp: string, auth = p.auth) => {
      expect((await call('POST', '/api/v1/evaluations', auth, { items: [{ traceId, name: 'faithfulness', score: 0.2, timestamp }] })).status).toBe(200);
      expect((await call('POST', '/api/v1/feedback', auth, { items: [{ traceId, kind: 'thumbs', value: 'down', comment: 'wrong', timestamp }] })).status).toBe(200);
    };
    await signals(never, old);
    await signals(neverFresh, new Date(NOW - 2 * DAY).toISOString());
    await signals(kept, old);
    const other = await project(null);
    await signals(never, old, other.auth);

    const report = await runRetention(env, { now: NOW });
    expect(report.projects.find((r) => r.projectId === p.projectId)?.orphanSignals).toBe(2);
    for (const table of ['evaluations', 'feedback']) {
      expect(await rows(table, p.projectId, never), table).toBe(0);
      expect(await rows(table, p.projectId, neverFresh), table).toBe(1);
      expect(await rows(table, p.projectId, kept), table).toBe(1);
      expect(await rows(table, other.projectId, never), table).toBe(1);
    }
  });

  it('leaves projects without retention untouched', async () => {
    const keep = await project(null);
    const zero = await project(0);
    const ancient = NOW - 3650 * DAY;
    const [a] = await ingest(keep.key, [ancient]);
    const [b] = await ingest(zero.key, [ancient]);
    const report = await runRetention(env, { now: NOW });
    expect(report.projects.map((r) => r.projectId)).not.toContain(keep.projectId);
    expect(report.projects.map((r) => r.projectId)).not.toContain(zero.projectId);
    expect(await traceStatus(keep, a)).toBe(200);
    expect(await traceStatus(zero, b)).toBe(200);
    expect(await inR2((await payloadKeys(keep.projectId, a))[0])).toBe(true);
  });

  it('deletes in bounded batches, passes over kept traces, and carries on in the next run', async () => {
    const p = await project(1);
    const old = NOW - 5 * DAY;
    const kept = await ingest(p.key, [0, 1, 2, 3, 4].map((i) => old + i));
    const queue = await call('POST', '/api/v1/queues', p.auth, { name: 'Keep' });
    expect((await call('POST', `/api/v1/queues/${queue.body.id}/items`, p.auth, { traceIds: kept })).status).toBe(200);
    const expired = await ingest(p.key, [10, 11, 12, 13, 14, 15, 16].map((i) => old + i), 2);

    // Watch every delete batch the job sends to D1: the traces statement is the last one.
    const perBatch: number[] = [];
    const db = new Proxy(await shardOf(p.projectId), {
      get(target, prop) {
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            const results = await target.batch(statements);
            if (statements.length === PER_TRACE_TABLES.length + 1) perBatch.push(results.at(-1)!.meta.changes);
            return results;
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const opts = { now: NOW, batchTraces: 2, batchSpans: 3, maxCalls: 13 };
    const runs = [];
    for (let i = 0; i < 10; i++) {
      const r = (await runRetention({ ...env, [p.shard]: db }, opts)).projects.find((x) => x.projectId === p.projectId)!;
      runs.push(r.traces);
      if (r.done) break;
    }
    // 2-span traces and a 3-span budget: one trace per batch; 13 calls leave room for two batches a run.
    expect(perBatch.every((n) => n === 1)).toBe(true);
    expect(runs.length).toBeGreaterThan(2);
    expect(Math.max(...runs)).toBeLessThanOrEqual(2);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(expired.length);
    for (const t of expired) expect(await rows('traces', p.projectId, t)).toBe(0);
    for (const t of kept) expect(await rows('traces', p.projectId, t)).toBe(1);
  });

  it('stops at its time budget with work left, and reports it', async () => {
    const p = await project(1);
    await ingest(p.key, [1, 2, 3].map((i) => NOW - 2 * DAY + i));
    // The clock reads 10, 20, 30, 40 …: a 25 ms budget has room for exactly one batch of one trace.
    let t = 0;
    const report = await runRetention(env, { now: NOW, batchTraces: 1, budgetMs: 25, clock: () => (t += 10) });
    expect(report.complete).toBe(false);
    expect(report.projects.reduce((n, r) => n + r.traces, 0)).toBeLessThanOrEqual(1);
    const left = await (await shardOf(p.projectId)).prepare('SELECT count(*) AS n FROM traces WHERE project_id = ?').bind(p.projectId).first<{ n: number }>();
    expect(left!.n).toBeGreaterThanOrEqual(2);
  });
});

describe('retention SQL plans', () => {
  const plan = async (sql: string, ...args: unknown[]) => {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...args).all<{ detail: string }>();
    return results.map((r) => r.detail);
  };

  it('reaches traces, spans and the per-trace tables through indexes, never a table scan', async () => {
    const ids = JSON.stringify([hex(16)]);
    const plans: Record<string, string[]> = {
      scan: await plan(SCAN_SQL, 'p', NOW, 0, '', 10),
      payloads: await plan(RELEASE_PAYLOADS_SQL, 'p', ids, NOW),
      freed: await plan(FREED_PAYLOADS_SQL, 'p'),
      ...Object.fromEntries(await Promise.all(PER_TRACE_TABLES.map(async (t) => [t, await plan(deleteSql(t), 'p', ids, NOW)]))),
      ...Object.fromEntries(await Promise.all(SIGNAL_TABLES.map(async (t) => [`orphan ${t}`, await plan(orphanSignalsSql(t), 'p', NOW, 10)]))),
    };
    for (const t of SIGNAL_TABLES) expect(plans[`orphan ${t}`].join(' | ')).toContain(`USING INDEX ${t}_time (project_id=? AND timestamp_ms<?)`);
    for (const [name, lines] of Object.entries(plans)) {
      const scans = lines.filter((l) => /^SCAN (traces|trace_spans|payload_objects|evaluations|feedback|trace_evals|automation_matches|queue_items|dataset_records|t|s|q|r)\b/.test(l));
      expect(scans, `${name}: ${lines.join(' | ')}`).toEqual([]);
    }
    expect(plans.scan.join(' ')).toContain('SEARCH t USING INDEX traces_project_start');
    expect(plans.payloads.join(' ')).toContain('SEARCH ts USING PRIMARY KEY (project_id=? AND trace_id=?)');
    expect(plans.payloads.join(' ')).toContain('SEARCH payload_objects USING PRIMARY KEY (project_id=? AND key=?)');
    expect(plans.freed.join(' ')).toContain('SEARCH payload_objects USING INDEX payload_objects_free');
    // A batch looks up its own traces by key: never a walk over every expired trace of the project,
    // and the dataset check is a lookup by (dataset, trace), never a walk over a whole dataset.
    for (const name of ['payloads', ...PER_TRACE_TABLES]) {
      const lines = plans[name].join(' | ');
      expect(lines, name).toContain('SEARCH t USING INDEX sqlite_autoindex_traces_1 (project_id=? AND trace_id=?)');
      expect(lines, name).toContain('SEARCH r USING INDEX dataset_records_trace (dataset_id=? AND source_trace_id=?)');
      expect(lines, name).not.toContain('traces_project_start');
    }
  });
});
