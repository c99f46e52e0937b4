import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/index';
import { chooseRequestId } from '../../../worker/middleware/request-id';
import { call, hex, llmSpan, makeProject, ORIGIN, otlpJson, postOtlp } from '../helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The JSON lines the Worker logged while `run` ran, parsed. */
async function logged(run: () => Promise<unknown>): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line)));
  }
  await run();
  vi.restoreAllMocks();
  return lines.map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('request ids', () => {
  it("echoes a caller's valid x-request-id on the response", async () => {
    const res = await SELF.fetch(`${ORIGIN}/api/v1/ping`, { headers: { 'x-request-id': 'client-42.retry:1' } });
    expect(res.headers.get('x-request-id')).toBe('client-42.retry:1');
  });

  it('uses cf-ray when the caller sends no id, and a fresh UUID when neither is there', async () => {
    const ray = await SELF.fetch(`${ORIGIN}/api/v1/ping`, { headers: { 'cf-ray': '8c1f2b3c4d5e6f7a-SJC' } });
    expect(ray.headers.get('x-request-id')).toBe('8c1f2b3c4d5e6f7a-SJC');
    const [a, b] = [await SELF.fetch(`${ORIGIN}/api/v1/ping`), await SELF.fetch(`${ORIGIN}/api/v1/ping`)];
    expect(a.headers.get('x-request-id')).toMatch(UUID);
    expect(b.headers.get('x-request-id')).toMatch(UUID);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });

  it('replaces an id that could break a log line or is too long', () => {
    for (const bad of ['has space', 'a,b', 'semi;colon', '"quoted"', 'x'.repeat(129), '']) {
      expect(chooseRequestId(new Headers({ 'x-request-id': bad }))).toMatch(UUID);
    }
    expect(chooseRequestId(new Headers({ 'x-request-id': 'bad id', 'cf-ray': 'abc-LHR' }))).toBe('abc-LHR');
  });

  it('puts the id into JSON errors: thrown ones, the 404 for an unknown route, and validation errors', async () => {
    const headers = { 'x-request-id': 'quote-me-1' };
    const unauthorized = await call('GET', '/api/v1/traces', {});
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body.error.requestId).toBe(unauthorized.headers.get('x-request-id'));

    const missing = await SELF.fetch(`${ORIGIN}/api/v1/no-such-thing`, { headers });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error).toMatchObject({ code: 'not_found', requestId: 'quote-me-1' });

    const { key } = await makeProject(['admin']);
    const invalid = await call('GET', '/api/v1/ops/status?range=week', { key });
    expect([invalid.status, invalid.body.error.code, invalid.body.error.requestId]).toEqual([400, 'invalid_request', invalid.headers.get('x-request-id')]);
  });

  it('sets the id on OTLP answers too (their body is an OTLP Status, not a Sieve error)', async () => {
    const res = await postOtlp('{', null, { 'x-request-id': 'otlp-1' });
    expect([res.status, res.headers.get('x-request-id')]).toEqual([401, 'otlp-1']);
  });
});

describe('access log', () => {
  it('writes one JSON line per request with id, route pattern, status, duration and project', async () => {
    const { key, projectId } = await makeProject();
    const traceId = hex(16);
    await postOtlp(otlpJson([llmSpan(traceId, undefined)]), key);
    const lines = await logged(() => SELF.fetch(`${ORIGIN}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'log-1' } }));
    const access = lines.filter((l) => l.msg === 'request');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 'info', requestId: 'log-1', projectId, method: 'GET', route: '/api/v1/traces/:traceId', status: 200 });
    expect(access[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('never logs keys, cookies, passwords or path values', async () => {
    const { key } = await makeProject();
    const secretToken = `tok-${crypto.randomUUID()}`;
    const lines = await logged(async () => {
      await SELF.fetch(`${ORIGIN}/api/v1/auth/invites/${secretToken}`, { headers: { cookie: 'sieve_session=cookie-secret' } });
      await postOtlp('{"resourceSpans":[]}', key);
      await call('POST', '/api/v1/auth/login', {}, { email: 'nobody@example.test', password: 'password-secret' });
    });
    const text = JSON.stringify(lines);
    expect(lines.filter((l) => l.msg === 'request').map((l) => l.route)).toEqual(['/api/v1/auth/invites/:token', '/v1/traces', '/api/v1/auth/login']);
    for (const secret of [secretToken, 'cookie-secret', key, 'password-secret']) expect(text).not.toContain(secret);
  });

  it('names the route a middleware refused, and logs a 5xx at error level', async () => {
    const lines = await logged(() => call('GET', '/api/v1/automations/some-rule', {}));
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ level: 'info', route: '/api/v1/automations/:ruleId', status: 401 });
    const ctx = createExecutionContext();
    const failing = await logged(async () => worker.fetch!(new Request(`${ORIGIN}/healthz`) as any, { ...env, PAYLOADS: undefined } as unknown as Env, ctx));
    expect(failing.find((l) => l.msg === 'request')).toMatchObject({ level: 'error', route: '/healthz', status: 503 });
  });
});
