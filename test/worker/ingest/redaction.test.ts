import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { projectRedactor, REDACTION_CACHE_MS } from '../../../worker/ingest/redaction-cache';
import { call, getJson, hex, llmSpan, makeProject, otlpJson, postOtlp, sattr, shardOf, signIn } from '../helpers';

const API_KEY = 'sk-proj-4fJx9QmT2bWkLz7RvN8sYpC3hGdE1aUo';
const CARD = '4242424242424242';

/** Everything stored about a trace: its D1 rows (all columns) and the R2 bytes its spans point at. */
async function storedText(projectId: string, traceId: string): Promise<{ d1: string; r2: string }> {
  const shard = await shardOf(projectId);
  const spans = await shard.prepare('SELECT * FROM trace_spans WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).all<Record<string, unknown>>();
  const trace = await shard.prepare('SELECT * FROM traces WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).all();
  const keys = [...new Set(spans.results.flatMap((s) => (JSON.parse(s.segments as string) as [string][]).map((g) => g[0])))];
  const objects = await Promise.all(keys.map(async (k) => (await env.PAYLOADS.get(k))!.text()));
  expect(spans.results.length).toBeGreaterThan(0);
  expect(objects.join('').length).toBeGreaterThan(0);
  return { d1: JSON.stringify([spans.results, trace.results]), r2: objects.join('') };
}

describe('redaction at ingest', () => {
  it('keeps a secret and a card number in a prompt out of D1 and R2, and counts them on the trace', async () => {
    const { projectId, key } = await makeProject();
    const traceId = hex(16);
    const root = { traceId, spanId: hex(8), name: 'support turn', attributes: [sattr('input.value', `card ${CARD}`)] };
    const llm = llmSpan(traceId, root.spanId, { input: `Call the API with ${API_KEY} please`, output: 'Done.' });
    expect((await postOtlp(otlpJson([root, llm]), key)).status).toBe(200);

    const stored = await storedText(projectId, traceId);
    for (const where of [stored.d1, stored.r2]) {
      expect(where).not.toContain(API_KEY);
      expect(where).not.toContain(CARD);
    }
    expect(stored.r2).toContain('[REDACTED:secret]');
    expect(stored.r2).toContain('[REDACTED:credit_card]');

    const { body } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(body.trace.redactions).toBe(2);
    expect(body.trace.inputPreview).toBe('card [REDACTED:credit_card]');
    const llmDetail = body.spans.find((s: any) => s.llm.kind === 'llm');
    expect(llmDetail.llm.inputMessages[0].content).toBe('Call the API with [REDACTED:secret] please');
    const list = await getJson(`/api/v1/traces?limit=5`, { key });
    expect(list.body.data.find((t: any) => t.traceId === traceId).redactions).toBe(2);
  });

  it('sums redactions over spans that arrive in separate requests, and a clean trace shows 0', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const rootId = hex(8);
    expect((await postOtlp(otlpJson([llmSpan(traceId, rootId, { input: `key ${API_KEY}` })]), key)).status).toBe(200);
    expect((await postOtlp(otlpJson([{ traceId, spanId: rootId, name: 'root', attributes: [sattr('db.password', 'hunter2')] }]), key)).status).toBe(200);
    expect((await getJson(`/api/v1/traces/${traceId}`, { key })).body.trace.redactions).toBe(2);

    const clean = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(clean, undefined)]), key)).status).toBe(200);
    expect((await getJson(`/api/v1/traces/${clean}`, { key })).body.trace.redactions).toBe(0);
  });

  it('applies rules saved through the API to the next ingest: emails, a custom pattern, a drop list', async () => {
    const { projectId, key } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const send = async (input: string) => {
      const traceId = hex(16);
      const span = llmSpan(traceId, undefined, { input });
      span.attributes!.push(sattr('http.request.header.x-debug', 'internal'));
      expect((await postOtlp(otlpJson([span]), key)).status).toBe(200);
      return (await getJson(`/api/v1/traces/${traceId}`, { key })).body;
    };
    const text = 'Mail ann@example.com about ORD-123456';
    const before = await send(text);
    expect(before.trace.inputPreview).toBe(text);
    expect(before.spans[0].attributes['http.request.header.x-debug']).toBe('internal');

    const saved = await call('PATCH', `/api/v1/projects/${projectId}`, { cookie: admin.cookie }, {
      redaction: { detectors: { email: true }, customPatterns: [{ name: 'order-id', pattern: 'ORD-\\d{6}' }], dropAttributes: ['http.request.header.*'] },
    });
    expect(saved.status).toBe(200);
    const after = await send(text);
    expect(after.trace.inputPreview).toBe('Mail [REDACTED:email] about [REDACTED:order-id]');
    expect(after.spans[0].attributes).not.toHaveProperty('http.request.header.x-debug');
    expect(after.trace.redactions).toBe(3);
  });

  it('redacts feedback comments and evaluation explanations sent through the API too', async () => {
    const { projectId, key } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    await call('PATCH', `/api/v1/projects/${projectId}`, { cookie: admin.cookie }, { redaction: { detectors: { email: true } } });
    const traceId = hex(16);
    const fb = await call('POST', '/api/v1/feedback', { key }, { items: [{ traceId, kind: 'thumbs', value: 'down', comment: `Wrong! Mail me at ann@example.com, card ${CARD}` }] });
    expect(fb.status).toBe(200);
    const ev = await call('POST', '/api/v1/evaluations', { key }, { items: [{ traceId, name: 'faithfulness', score: 0.2, explanation: `The answer leaked ${API_KEY}.` }] });
    expect(ev.status).toBe(200);
    const stored = JSON.stringify([
      (await (await shardOf(projectId)).prepare('SELECT * FROM feedback WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).all()).results,
      (await (await shardOf(projectId)).prepare('SELECT * FROM evaluations WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).all()).results,
    ]);
    for (const secret of ['ann@example.com', CARD, API_KEY]) expect(stored).not.toContain(secret);
    expect(stored).toContain('Mail me at [REDACTED:email], card [REDACTED:credit_card]');
    expect(stored).toContain('The answer leaked [REDACTED:secret].');
  });

  it('stores nothing redacted when every detector is off', async () => {
    const { projectId, key } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    await call('PATCH', `/api/v1/projects/${projectId}`, { cookie: admin.cookie }, { redaction: { detectors: { secrets: false, creditCard: false } } });
    const traceId = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(traceId, undefined, { input: `key ${API_KEY}` })]), key)).status).toBe(200);
    const { body } = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(body.trace).toMatchObject({ redactions: 0, inputPreview: `key ${API_KEY}` });
  });
});

describe('projectRedactor', () => {
  it('reuses a project’s compiled rules for REDACTION_CACHE_MS, then reads them again', async () => {
    const { projectId } = await makeProject();
    const t0 = 1_000_000;
    const first = await projectRedactor(env.DB, projectId, t0);
    expect(first.text('ann@example.com').text).toBe('ann@example.com');
    // A change written behind the cache's back (another isolate saved it) shows once the entry expires.
    await env.DB.prepare(`UPDATE projects SET redaction = '{"detectors":{"email":true}}' WHERE id = ?`).bind(projectId).run();
    expect(await projectRedactor(env.DB, projectId, t0 + REDACTION_CACHE_MS - 1)).toBe(first);
    const later = await projectRedactor(env.DB, projectId, t0 + REDACTION_CACHE_MS + 1);
    expect(later.text('ann@example.com').text).toBe('[REDACTED:email]');
  });

  it('falls back to the defaults when the stored rules no longer parse', async () => {
    const { projectId } = await makeProject();
    await env.DB.prepare(`UPDATE projects SET redaction = 'not json' WHERE id = ?`).bind(projectId).run();
    const r = await projectRedactor(env.DB, projectId, 5_000_000);
    expect(r.text(`key ${API_KEY}`).text).toBe('key [REDACTED:secret]');
  });
});
