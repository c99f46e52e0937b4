import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../../worker/index';
import { call, hex, llmSpan, otlpJson, postOtlp, sattr, shardOf } from '../helpers';
import { makeQueue, queueProject } from '../queues/fixtures';

const EXTREME_TIMES: unknown[] = [8640000000000001, 1e300, -1, 253402300800000, '+275760-09-13T00:00:00.000Z', '9999-12-31T23:59:60Z', 'NaN', 1.5];

/** GET routes of the API with their path parameters filled from `ids`; routes with a parameter we cannot fill are skipped. */
function readRoutes(ids: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const r of app.routes) {
    if (r.method !== 'GET' || !r.path.startsWith('/api/v1/') || r.path.endsWith('/live') || r.path.includes('*')) continue;
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    if (params.some((p) => !(p in ids))) continue;
    out.add(r.path.replace(/:(\w+)/g, (_, p) => ids[p]));
  }
  return [...out];
}

describe('extreme numbers and times (issue #18.3)', () => {
  it('refuses times outside 1970–9999 on every write route with 400, and every read route stays below 500', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 1);
    const traceId = traceIds[0];
    for (const timestamp of EXTREME_TIMES) {
      const ev = await call('POST', '/api/v1/evaluations', p.admin, { items: [{ traceId, name: 'judge', score: 0.5, timestamp }] });
      expect(ev.status, `evaluation ${timestamp}`).toBe(200);
      expect(ev.body.rejected, `evaluation ${timestamp}`).toBe(1);
      const fb = await call('POST', '/api/v1/feedback', p.admin, { items: [{ traceId, kind: 'rating', value: 1e308, scale: 1e308, timestamp }] });
      expect(fb.body.rejected, `feedback ${timestamp}`).toBe(1);
      const list = await call('GET', `/api/v1/traces?from=${encodeURIComponent(String(timestamp))}`, p.admin);
      expect(list.status, `trace list from=${timestamp}`).toBe(400);
    }
    expect((await call('POST', '/api/v1/evaluations', p.admin, { items: [{ traceId, name: 'judge', score: 1e308, label: 'x', timestamp: '9999-12-31T23:59:59.999Z' }] })).body.stored).toBe(1);
    const far = { ...llmSpan(hex(16), undefined), startMs: 0 };
    const body = JSON.parse(otlpJson([far]));
    body.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = '1';
    body.resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano = '99999999999999999999999';
    const otlp = await postOtlp(JSON.stringify(body), p.key);
    expect(otlp.status).toBeLessThan(500);

    // A row stored before the bounds (or by hand) must not break reads either.
    await (await shardOf(p.projectId)).prepare(
      `INSERT INTO evaluations (id, project_id, trace_id, span_id, name, evaluator_version, evaluator_kind, score, label, explanation, source, client_id, timestamp_ms)
       VALUES (?, ?, ?, '', 'legacy', '', 'llm', 0.1, 'bad', null, 'api', null, 8640000000000001)`,
    )
      .bind(crypto.randomUUID(), p.projectId, traceId)
      .run();
    const dataset = await call('POST', '/api/v1/datasets', p.admin, { name: 'extreme' });
    const fromTraces = await call('POST', `/api/v1/datasets/${dataset.body.id}/records/from-traces`, p.admin, { traceIds: [traceId], mapping: { input: { from: 'root_input' } } });
    expect(fromTraces.status, fromTraces.text).toBeLessThan(500);
    const ids = { traceId, queueId, itemId: traceId, datasetId: dataset.body.id, projectId: p.projectId };
    const routes = readRoutes(ids);
    expect(routes.length).toBeGreaterThan(15);
    for (const path of routes) {
      const res = await call('GET', path, p.admin);
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });
});
