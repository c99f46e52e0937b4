import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../../worker/index';
import { hex, llmSpan, makeProject, otlpJson } from '../helpers';

/**
 * Nothing is acknowledged when storage fails, so OTLP must be told to retry: 503 with Retry-After
 * (exporters retry 503 and drop a batch answered 500, per the OTLP/HTTP spec).
 */
function brokenD1(): D1Database {
  const fail = () => {
    throw new Error('D1 is unavailable (test)');
  };
  return { prepare: fail, batch: fail, exec: fail, dump: fail, withSession: fail } as unknown as D1Database;
}

async function post(body: string, key: string, bindings: Partial<Env>): Promise<Response> {
  const ctx = createExecutionContext();
  const req = new Request('http://sieve.test/v1/traces', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  const res = await app.fetch(req, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('POST /v1/traces when storage fails', () => {
  it('answers 503 with Retry-After (not 500) when the API key lookup cannot reach D1', async () => {
    const { key } = await makeProject();
    const res = await post(otlpJson([llmSpan(hex(16), undefined)]), key, { DB: brokenD1() });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { code: number; message: string }).message).toMatch(/retry later/);
  });

  it('answers 503 when the span write fails after the key was accepted, and a retry then stores the spans', async () => {
    const { key, shard } = await makeProject();
    const traceId = hex(16);
    const body = otlpJson([llmSpan(traceId, undefined)]);
    // The first request caches the key; the second finds the project's shard failing on the write.
    expect((await post(otlpJson([llmSpan(hex(16), undefined)]), key, {})).status).toBe(200);
    const failed = await post(body, key, { [shard]: brokenD1() } as Partial<Env>);
    expect(failed.status).toBe(503);
    const retried = await post(body, key, {});
    expect(retried.status).toBe(200);
    const read = await app.fetch(new Request(`http://sieve.test/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${key}` } }), env, createExecutionContext());
    expect(read.status).toBe(200);
  });
});
