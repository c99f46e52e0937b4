import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../worker/index';
import { makeProject, ORIGIN } from '../helpers';

const faulty = (faults: string) => ({ ...env, SIEVE_ENV: 'development' as const, SIEVE_FAULTS: faults });

async function fetchWith(e: typeof env, method: string, path: string, key: string, body?: unknown): Promise<Response> {
  const ctx = createExecutionContext();
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, origin: ORIGIN };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await worker.fetch!(new Request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('a storage failure answers 503 with Retry-After (issue #18.9)', () => {
  it('on reads, writes and insights when every D1 call fails, never a bare 500', async () => {
    const { key } = await makeProject(['admin']);
    const e = faulty('d1=1') as typeof env;
    for (const [method, path, body] of [
      ['GET', '/api/v1/traces'],
      ['GET', '/api/v1/queues'],
      ['POST', '/api/v1/queues', { name: 'during an outage' }],
      ['GET', '/api/v1/insights/evaluators'],
      ['POST', '/api/v1/automations/preview', { condition: { all: [{ evals: [{ name: 'x', maxScore: 0.5 }] }] }, hours: 1 }],
    ] as [string, string, unknown?][]) {
      const res = await fetchWith(e, method, path, key, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBe(503);
      expect(res.headers.get('retry-after'), `${method} ${path}`).toMatch(/^\d+$/);
      expect((await res.json<any>()).error.code).toBe('unavailable');
    }
  });
});
