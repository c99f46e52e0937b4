import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { faultRates, InjectedFault, parseFaults, withFaults } from '../../../worker/ops/faults';

/** A random source that plays back `rolls` (then 0.99: no more faults). */
const rolls = (...values: number[]) => () => values.shift() ?? 0.99;
const dev = (faults: string) => ({ ...env, SIEVE_ENV: 'development' as const, SIEVE_FAULTS: faults });

describe('parseFaults', () => {
  it('reads rates per target and leaves the others at 0', () => {
    expect(parseFaults('d1=0.05, r2=0.1,queue=1')).toEqual({ d1: 0.05, r2: 0.1, queue: 1, do: 0 });
  });
  it('refuses unknown targets and rates outside 0..1, so a typo is never silently "no faults"', () => {
    expect(() => parseFaults('kv=0.1')).toThrow(/kv=0.1/);
    expect(() => parseFaults('d1=1.5')).toThrow();
    expect(() => parseFaults('d1')).toThrow();
  });
});

describe('faultRates', () => {
  it('is off in production, with no SIEVE_ENV, and with any value but development', () => {
    for (const SIEVE_ENV of ['production', undefined, '', 'Development', 'staging']) {
      expect(faultRates({ SIEVE_ENV, SIEVE_FAULTS: 'd1=1,r2=1,queue=1,do=1' })).toBeNull();
    }
  });
  it('is off without SIEVE_FAULTS or with all rates 0', () => {
    expect(faultRates({ SIEVE_ENV: 'development' })).toBeNull();
    expect(faultRates({ SIEVE_ENV: 'development', SIEVE_FAULTS: ' ' })).toBeNull();
    expect(faultRates({ SIEVE_ENV: 'development', SIEVE_FAULTS: 'd1=0' })).toBeNull();
  });
});

describe('withFaults', () => {
  it('returns the very same env in production, even with SIEVE_FAULTS set', () => {
    const prod = { ...env, SIEVE_ENV: 'production', SIEVE_FAULTS: 'd1=1,r2=1,queue=1,do=1' } as unknown as typeof env;
    expect(withFaults(prod)).toBe(prod);
  });

  it('fails a D1 read before it runs', async () => {
    const e = withFaults(dev('d1=0.5'), rolls(0.1, 0.2));
    const err = await e.DB.prepare('SELECT 1 AS one').first().catch((x: unknown) => x);
    expect(err).toBeInstanceOf(InjectedFault);
    expect((err as InjectedFault).phase).toBe('before');
    expect(await e.DB.prepare('SELECT 1 AS one').first()).toEqual({ one: 1 });
  });

  it('fails the data shards at the D1 rate too', async () => {
    const e = withFaults(dev('d1=1'), rolls(0, 0.1, 0, 0.1));
    for (const shard of [e.DB_SHARD_0, e.DB_SHARD_1]) await expect(shard.prepare('SELECT 1 AS one').first()).rejects.toThrow(/injected d1 fault before first/);
  });

  it('fails a D1 write after it committed when the fault strikes "after"', async () => {
    const id = `fault-${crypto.randomUUID()}`;
    const e = withFaults(dev('d1=0.5'), rolls(0.1, 0.9));
    await expect(e.DB.prepare(`INSERT INTO projects (id, name) VALUES (?, 'faults')`).bind(id).run()).rejects.toThrow(/injected d1 fault after run/);
    expect(await env.DB.prepare('SELECT id FROM projects WHERE id = ?').bind(id).first()).toEqual({ id });
  });

  it('runs batches of wrapped statements on the real D1 when no fault strikes', async () => {
    const id = `fault-${crypto.randomUUID()}`;
    const e = withFaults(dev('d1=0.5'), rolls(0.9));
    const insert = e.DB.prepare(`INSERT INTO projects (id, name) VALUES (?, 'faults')`);
    const [, read] = await e.DB.batch([insert.bind(id), e.DB.prepare('SELECT name FROM projects WHERE id = ?').bind(id)]);
    expect(read.results).toEqual([{ name: 'faults' }]);
  });

  it('fails R2 puts and Queue sends at their own rates, and leaves D1 alone when its rate is 0', async () => {
    const e = withFaults(dev('r2=1,queue=1'), rolls(0, 0.1, 0, 0.1));
    expect([e.DB, e.DB_SHARD_0, e.DB_SHARD_1]).toEqual([env.DB, env.DB_SHARD_0, env.DB_SHARD_1]);
    expect(e.DB_SHARD_0).toBe(env.DB_SHARD_0);
    await expect(e.PAYLOADS.put('faults/x', 'x')).rejects.toThrow(/injected r2 fault before put/);
    expect(await env.PAYLOADS.head('faults/x')).toBeNull();
    await expect(e.POST_INGEST.send({ type: 'noop' })).rejects.toThrow(/injected queue fault before send/);
  });

  it('fails Durable Object RPC calls, and passes them through otherwise', async () => {
    const e = withFaults(dev('do=0.5'), rolls(0.1, 0.1, 0.9));
    const stub = () => e.ANNOTATION_QUEUE.get(e.ANNOTATION_QUEUE.idFromName(`faults-${crypto.randomUUID()}`));
    await expect(stub().claim(null, { id: 'r', name: 'r' })).rejects.toThrow(/injected do fault before claim/);
    // No queue configured: the object answers with its own 404 outcome.
    expect(await stub().claim(null, { id: 'r', name: 'r' })).toMatchObject({ ok: false, error: { status: 404 } });
  });
});

describe('the Worker default export', () => {
  it('hands handlers the faulty env in development and the real one in production', async () => {
    const healthz = async (SIEVE_ENV: string) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request('http://x/healthz'), { ...env, SIEVE_ENV, SIEVE_FAULTS: 'd1=1' } as never, ctx);
      await waitOnExecutionContext(ctx);
      return res.status;
    };
    expect(await healthz('development')).toBe(503);
    expect(await healthz('production')).toBe(200);
  });
});
