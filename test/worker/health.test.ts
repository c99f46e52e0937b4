import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { checkBindings } from '../../worker/ops/health';

/** `/healthz` of the real Worker with some bindings replaced, as a misconfigured deploy would have them. */
async function healthz(overrides: Partial<Record<keyof Env, unknown>>): Promise<{ status: number; body: any }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(new Request('http://x/healthz') as any, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json() };
}

describe('GET /healthz', () => {
  it('answers 200 with a passing check and its latency per binding', async () => {
    const res = await SELF.fetch('http://x/healthz');
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.ok).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['d1', 'd1.DB_SHARD_0', 'd1.DB_SHARD_1', 'durableObjects', 'queue', 'r2']);
    for (const check of Object.values(body.checks) as any[]) {
      expect(check.ok).toBe(true);
      expect(check.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers 503 naming a missing binding, with the others still passing', async () => {
    const { status, body } = await healthz({ PAYLOADS: undefined });
    expect(status).toBe(503);
    expect(body.ok).toBe(false);
    expect(body.checks.r2).toMatchObject({ ok: false, error: 'binding missing' });
    expect([body.checks.d1.ok, body.checks.queue.ok, body.checks.durableObjects.ok]).toEqual([true, true, true]);
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toContain('r2 (binding missing');
    expect(body.error.requestId).toEqual(expect.any(String));
  });

  it('answers 503 when D1 fails, without leaking the error text', async () => {
    const broken = { prepare: () => ({ first: async () => { throw new Error('D1_ERROR: secret internals'); } }) };
    const { status, body } = await healthz({ DB: broken });
    expect(status).toBe(503);
    expect(body.checks.d1).toMatchObject({ ok: false, error: 'failed' });
    expect(JSON.stringify(body)).not.toContain('secret internals');
  });

  it('answers 503 naming a data shard that fails, the control database still passing', async () => {
    const broken = { prepare: () => ({ first: async () => { throw new Error('D1_ERROR: shard down'); } }) };
    const { status, body } = await healthz({ DB_SHARD_1: broken });
    expect(status).toBe(503);
    expect([body.checks.d1.ok, body.checks['d1.DB_SHARD_0'].ok]).toEqual([true, true]);
    expect(body.checks['d1.DB_SHARD_1']).toMatchObject({ ok: false, error: 'failed' });
    expect(body.error.message).toContain('d1.DB_SHARD_1 (failed');
  });

  it('reports the Queue producer and the Durable Object namespace as missing when they are', async () => {
    const { status, body } = await healthz({ POST_INGEST: undefined, ANNOTATION_QUEUE: {} });
    expect(status).toBe(503);
    expect([body.checks.queue.error, body.checks.durableObjects.error]).toEqual(['binding missing', 'binding missing']);
    expect(body.checks.d1.ok && body.checks.r2.ok).toBe(true);
  });
});

describe('checkBindings', () => {
  it('fails a check that does not answer within the timeout, with the time it waited', async () => {
    const hung = { prepare: () => ({ first: () => new Promise(() => undefined) }) };
    const checks = await checkBindings({ ...env, DB: hung as unknown as D1Database }, 50);
    expect(checks.d1).toMatchObject({ ok: false, error: 'timed out after 50 ms' });
    expect(checks.d1.ms).toBeGreaterThanOrEqual(45);
    expect(checks.r2.ok).toBe(true);
  });
});
