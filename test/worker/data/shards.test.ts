import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { dataBindings, leastLoaded, pickShard, shardBindings, shardDb, shardLoads } from '../../../worker/data/shards';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, signIn } from '../helpers';
import { claim, makeQueue, reviewers, submit } from '../queues/fixtures';

/** How many rows of `table` each database (control and shards) holds for the project. */
async function rowsPerDatabase(table: string, projectId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const binding of dataBindings(env)) {
    const r = await shardDb(env, binding).prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`).bind(projectId).first<{ n: number }>();
    out[binding] = r!.n;
  }
  return out;
}

/** `n` rows on `binding` and zero everywhere else. */
const onlyOn = (binding: string, n: number) => Object.fromEntries(dataBindings(env).map((b) => [b, b === binding ? n : 0]));

const projectsOn = async (binding: string) => (await shardLoads(env)).find((s) => s.binding === binding)?.projects ?? 0;

async function addProjects(binding: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await makeProject(['ingest'], { shard: binding });
}

describe('shard bindings', () => {
  it('finds the two shards of the test config, in number order, besides the control database', () => {
    expect(shardBindings(env)).toEqual(['DB_SHARD_0', 'DB_SHARD_1']);
    expect(shardBindings({ DB_SHARD_10: {}, DB_SHARD_2: {}, DB: {}, DB_SHARD_X: {} })).toEqual(['DB_SHARD_2', 'DB_SHARD_10']);
    expect(dataBindings(env)).toEqual(['DB', 'DB_SHARD_0', 'DB_SHARD_1']);
    expect(() => shardDb(env, 'DB_SHARD_7')).toThrow(/DB_SHARD_7 holds project data but is not configured/);
  });
});

describe('pickShard', () => {
  it('chooses the shard with the fewest projects, the lower number on a tie', () => {
    expect(leastLoaded([{ binding: 'DB_SHARD_0', projects: 5 }, { binding: 'DB_SHARD_1', projects: 3 }])).toBe('DB_SHARD_1');
    expect(leastLoaded([{ binding: 'DB_SHARD_1', projects: 3 }, { binding: 'DB_SHARD_0', projects: 3 }])).toBe('DB_SHARD_0');
    expect(leastLoaded([{ binding: 'DB_SHARD_10', projects: 1 }, { binding: 'DB_SHARD_9', projects: 1 }])).toBe('DB_SHARD_9');
    expect(leastLoaded([])).toBeNull();
  });

  it('puts a new project on the least-loaded shard, counted from the control database, and registers the shards', async () => {
    const [zero, one] = [await projectsOn('DB_SHARD_0'), await projectsOn('DB_SHARD_1')];
    await addProjects('DB_SHARD_0', Math.max(0, one - zero) + 2);
    expect(await pickShard(env)).toBe('DB_SHARD_1');
    await addProjects('DB_SHARD_1', (await projectsOn('DB_SHARD_0')) - (await projectsOn('DB_SHARD_1')) + 1);
    expect(await pickShard(env)).toBe('DB_SHARD_0');
    // Legacy projects on the control database count for nothing: it takes no new projects.
    await addProjects('DB', 3);
    expect(await pickShard(env)).toBe('DB_SHARD_0');
    const { results } = await env.DB.prepare('SELECT binding, location, accepting_new FROM shards ORDER BY binding').all();
    expect(results).toEqual([
      { binding: 'DB_SHARD_0', location: 'default', accepting_new: 1 },
      { binding: 'DB_SHARD_1', location: 'default', accepting_new: 1 },
    ]);
  });

  it('skips a shard that no longer accepts new projects, and refuses (503) when none does', async () => {
    await pickShard(env);
    const loads = await shardLoads(env);
    const emptier = leastLoaded(loads)!;
    try {
      await env.DB.prepare('UPDATE shards SET accepting_new = 0 WHERE binding = ?').bind(emptier).run();
      expect(await pickShard(env)).toBe(emptier === 'DB_SHARD_0' ? 'DB_SHARD_1' : 'DB_SHARD_0');
      await env.DB.prepare('UPDATE shards SET accepting_new = 0').run();
      await expect(pickShard(env)).rejects.toMatchObject({ status: 503 });
    } finally {
      await env.DB.prepare('UPDATE shards SET accepting_new = 1').run();
    }
  });
});

describe('POST /api/v1/projects', () => {
  it("stores the new project's data on the shard it was assigned, nowhere else", async () => {
    const { projectId: home } = await makeProject(['ingest']);
    const admin = await signIn(home, 'admin');
    const expected = await pickShard(env);
    const created = await call('POST', '/api/v1/projects', { cookie: admin.cookie }, { name: 'Sharded' });
    expect(created.status, created.text).toBe(201);
    const projectId = created.body.id as string;
    expect(await env.DB.prepare('SELECT shard FROM projects WHERE id = ?').bind(projectId).first()).toEqual({ shard: expected });
    const key = await call('POST', `/api/v1/projects/${projectId}/api-keys`, { cookie: admin.cookie }, { name: 'k', scopes: ['ingest', 'read'] });
    const traceId = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(traceId, undefined)]), key.body.key)).status).toBe(200);
    expect(await rowsPerDatabase('traces', projectId)).toEqual(onlyOn(expected, 1));
    expect((await call('GET', `/api/v1/traces/${traceId}`, { key: key.body.key })).status).toBe(200);
  });
});

describe('a legacy project (its data in the control database)', () => {
  it('ingests, lists and opens traces, takes signals and runs automations there', async () => {
    const p = await makeProject(['admin'], { shard: 'DB' });
    const auth = { key: p.key };
    const traceId = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(traceId, undefined, { input: 'legacy question' })]), p.key)).status).toBe(200);
    const list = await call('GET', '/api/v1/traces', auth);
    expect(list.body.data.map((t: any) => t.traceId)).toEqual([traceId]);
    const detail = await call('GET', `/api/v1/traces/${traceId}`, auth);
    expect([detail.status, detail.body.spans.length]).toEqual([200, 1]);
    expect((await call('POST', '/api/v1/evaluations', auth, { items: [{ traceId, name: 'faithfulness', score: 0.1 }] })).status).toBe(200);
    expect((await call('GET', `/api/v1/traces/${traceId}`, auth)).body.evaluations).toHaveLength(1);
    expect(await rowsPerDatabase('traces', p.projectId)).toEqual(onlyOn('DB', 1));
    expect(await rowsPerDatabase('evaluations', p.projectId)).toEqual(onlyOn('DB', 1));
  });
});

describe('off the request path', () => {
  it("the queue consumer writes a project's automation decisions to its shard", async () => {
    for (const shard of shardBindings(env)) {
      const p = await makeProject(['admin'], { shard });
      const dataset = await call('POST', '/api/v1/datasets', { key: p.key }, { name: `Healthy ${shard}` });
      const rule = await call('POST', '/api/v1/automations', { key: p.key }, { name: 'Healthy', condition: { all: [{ hasError: false }] }, actions: [{ type: 'dataset', datasetId: dataset.body.id }] });
      expect(rule.status, rule.text).toBe(201);
      const traceId = hex(16);
      expect((await postOtlp(otlpJson([llmSpan(traceId, undefined)]), p.key)).status).toBe(200);
      const batch = createMessageBatch('sieve-post-ingest', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { type: 'traces.touched', projectId: p.projectId, traceIds: [traceId] } }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
      expect(await rowsPerDatabase('automation_matches', p.projectId)).toEqual(onlyOn(shard, 1));
      expect(await rowsPerDatabase('dataset_records', p.projectId)).toEqual(onlyOn(shard, 1));
    }
  });

  it('the queue consumer acknowledges a message of a project the control database does not know', async () => {
    const id = crypto.randomUUID();
    const batch = createMessageBatch('sieve-post-ingest', [{ id, timestamp: new Date(), attempts: 1, body: { type: 'traces.touched', projectId: `gone-${id}`, traceIds: [hex(16)] } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect([result.explicitAcks, result.retryMessages]).toEqual([[id], []]);
  });

  it("the annotation queue's object copies items and annotations to the queue's project's shard", async () => {
    for (const shard of shardBindings(env)) {
      const { projectId, key } = await makeProject(['admin'], { shard });
      const p = { projectId, key, admin: { key } };
      const { queueId, traceIds } = await makeQueue(p, {}, 1);
      const [r] = await reviewers(projectId, 1);
      await claim(queueId, r);
      expect((await submit(queueId, traceIds[0], r)).status).toBe(200);
      expect(await rowsPerDatabase('annotations', projectId)).toEqual(onlyOn(shard, 1));
      expect(await rowsPerDatabase('queue_items', projectId)).toEqual(onlyOn(shard, 1));
      expect(await rowsPerDatabase('annotation_queues', projectId)).toEqual(onlyOn(shard, 1));
    }
  });
});

describe('GET /api/v1/ops/status: storage', () => {
  it("names the project's shard with its project count and size against D1's 10 GB", async () => {
    for (const shard of [...shardBindings(env), 'DB']) {
      const { key } = await makeProject(['admin'], { shard });
      const res = await call('GET', '/api/v1/ops/status', { key });
      expect(res.status, res.text).toBe(200);
      expect(res.body.storage).toMatchObject({ shard, location: 'default', projects: await projectsOn(shard), limitBytes: 10_000_000_000, nearLimit: false });
      expect(res.body.storage.bytes === null || res.body.storage.bytes > 0).toBe(true);
    }
  });
});

describe('migration 0012', () => {
  it('keeps a project made without a shard (every project before the upgrade) on the control database', async () => {
    const id = `legacy-${crypto.randomUUID()}`;
    await env.DB.prepare(`INSERT INTO projects (id, name) VALUES (?, 'Before shards')`).bind(id).run();
    expect(await env.DB.prepare('SELECT shard FROM projects WHERE id = ?').bind(id).first()).toEqual({ shard: 'DB' });
    for (const binding of dataBindings(env)) {
      const tables = await shardDb(env, binding).prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('traces', 'projects', 'shards')`).all();
      expect(tables.results.map((t: any) => t.name).sort(), binding).toEqual(['projects', 'shards', 'traces']);
    }
  });
});
