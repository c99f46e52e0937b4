import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { add, exportText, makeDataset, raw } from '../datasets/fixtures';
import { call, getJson, hex, makeProject, postOtlp, sattr, shardOf } from '../helpers';

/** Every R2 object of the project, as text. */
async function r2Text(projectId: string): Promise<string> {
  const mine = (await env.PAYLOADS.list({ prefix: `t/${projectId}/`, limit: 1000 })).objects;
  expect(mine.length).toBeGreaterThan(0);
  return (await Promise.all(mine.map(async (o) => (await env.PAYLOADS.get(o.key))!.text()))).join('\n');
}

async function projectWith(redaction: unknown): Promise<{ projectId: string; key: string }> {
  const p = await makeProject(['admin']);
  const res = await call('PATCH', `/api/v1/projects/${p.projectId}`, { key: p.key }, { redaction });
  expect(res.status, res.text).toBe(200);
  return p;
}

const b64 = (s: string) => btoa(s);

describe('redaction covers every stored form and field (issue #18.8)', () => {
  it('redacts URL-encoded, \\u-escaped, HTML-entity and base64 forms, keys, scope, resource, names and events', async () => {
    const { projectId, key } = await projectWith({ detectors: { email: true } });
    const traceId = hex(16);
    const start = BigInt(Date.now()) * 1_000_000n;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [sattr('service.name', 'svc'), sattr('deployment.owner', 'res.owner@example.com')] },
          scopeSpans: [
            {
              scope: { name: 'lib-scope.name@example.com', version: 'scope.version@example.com' },
              spans: [
                {
                  traceId,
                  spanId: hex(8),
                  name: 'reply to span.name@example.com',
                  kind: 1,
                  startTimeUnixNano: String(start),
                  endTimeUnixNano: String(start + 1_000_000n),
                  attributes: [
                    sattr('url.full', 'https://shop.test/checkout?email=john.doe%40example.com&card=4111%201111%201111%201111'),
                    sattr('note.json', '{"msg":"write to jane\\u0040example.com"}'),
                    sattr('note.text', 'mail jim\\u0040example.com soon'),
                    sattr('note.html', 'mail bob&#64;example.com or bob2&commat;example.com'),
                    sattr('note.card', 'paid with 4111.1111.1111.1111'),
                    sattr('visits:alice@example.com', 'three'),
                    { key: 'payload', value: { bytesValue: b64('contact erin@example.com now') } },
                  ],
                  events: [{ timeUnixNano: String(start), name: 'sent to event.name@example.com', attributes: [] }],
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await postOtlp(JSON.stringify(body), key)).status).toBe(200);
    const detail = await getJson(`/api/v1/traces/${traceId}`, { key });
    expect(detail.status).toBe(200);
    const stored = `${JSON.stringify(detail.body)}\n${await r2Text(projectId)}`;
    for (const leaked of [
      'john.doe%40example.com',
      'john.doe@example.com',
      '4111%201111',
      'jane\\u0040example.com',
      'jane@example.com',
      'jim\\u0040example.com',
      'bob&#64;example.com',
      'bob2&commat;example.com',
      '4111.1111.1111.1111',
      'alice@example.com',
      'res.owner@example.com',
      'scope.name@example.com',
      'scope.version@example.com',
      'span.name@example.com',
      'event.name@example.com',
      b64('contact erin@example.com now'),
    ]) {
      expect(stored, leaked).not.toContain(leaked);
    }
    const span = detail.body.spans[0];
    expect(span.attributes['url.full']).toBe('https://shop.test/checkout?email=[REDACTED:email]&card=[REDACTED:credit_card]');
    expect(JSON.parse(span.attributes['note.json'])).toEqual({ msg: 'write to [REDACTED:email]' });
    expect(span.attributes['note.card']).toBe('paid with [REDACTED:credit_card]');
    expect(span.attributes['visits:[REDACTED:email]']).toBe('three');
    expect(atob(span.attributes.payload)).toBe('contact [REDACTED:email] now');
  });

  it('redacts evaluation labels, explanations and versions, and feedback comments and end-user ids', async () => {
    const { projectId, key } = await projectWith({ detectors: { email: true } });
    const shard = await shardOf(projectId);
    const traceId = hex(16);
    const evals = await call('POST', '/api/v1/evaluations', { key }, {
      items: [{ traceId, name: 'judge', label: 'ok for lbl@example.com', explanation: 'asked exp@example.com', evaluatorVersion: 'ver@example.com' }],
    });
    expect(evals.status, evals.text).toBe(200);
    const fb = await call('POST', '/api/v1/feedback', { key }, {
      items: [{ traceId, kind: 'thumbs', value: 'up', comment: 'from cmt@example.com', endUserId: 'user@example.com' }],
    });
    expect(fb.status, fb.text).toBe(200);
    const rows = await shard.prepare(`SELECT label, explanation, evaluator_version FROM evaluations WHERE trace_id = ?`).bind(traceId).all();
    const fbRows = await shard.prepare(`SELECT comment, end_user_id FROM feedback WHERE trace_id = ?`).bind(traceId).all();
    const stored = JSON.stringify([rows.results, fbRows.results]);
    for (const leaked of ['lbl@', 'exp@', 'ver@', 'cmt@', 'user@example.com']) expect(stored, leaked).not.toContain(leaked);
    expect(rows.results[0]).toMatchObject({ label: 'ok for [REDACTED:email]', evaluator_version: '[REDACTED:email]' });
    expect(fbRows.results[0]).toMatchObject({ end_user_id: '[REDACTED:email]' });
  });

  it('redacts dataset records, imported or added through the API', async () => {
    const p = await projectWith({ detectors: { email: true } });
    const dp = { ...p, admin: { key: p.key } };
    const id = await makeDataset(dp);
    const file = `${JSON.stringify({ input: 'ask imp@example.com', expected_output: { to: 'exp\u0040example.com' }, metadata: { who: 'meta@example.com' } })}\n`;
    const imported = await raw('POST', `/api/v1/datasets/${id}/import`, dp.admin, file, 'application/x-ndjson');
    expect(imported.status, imported.text).toBe(200);
    await add(dp, id, [{ input: { q: 'api@example.com' } }]);
    const text = await exportText(dp, id);
    for (const leaked of ['imp@', 'exp@', 'meta@', 'api@']) expect(text, leaked).not.toContain(leaked);
    expect(text).toContain('[REDACTED:email]');
  });
});

describe('custom redaction patterns run in linear time (issue #18.2)', () => {
  it('accepts (a|a)+$ and ingests a span carrying "a"×5000 + "!" in well under a second', async () => {
    const { projectId, key } = await projectWith({ customPatterns: [{ name: 'as', pattern: '(a|a)+$' }, { name: 'dots', pattern: '(.*a){12}$' }, { name: 'ab', pattern: '(?:a|a)*b' }] });
    const traceId = hex(16);
    const start = Date.now();
    const span = { traceId, spanId: hex(8), name: 'x', attributes: [sattr('input.value', `${'a'.repeat(5000)}!`), sattr('tail', 'ends in aaa')] };
    const { otlpJson } = await import('../helpers');
    expect((await postOtlp(otlpJson([span]), key)).status).toBe(200);
    expect(Date.now() - start).toBeLessThan(1500);
    const detail = await getJson(`/api/v1/traces/${traceId}`, { key, project: projectId });
    expect(detail.body.spans[0].attributes.tail).toBe('ends in [REDACTED:as]');
    expect(detail.body.spans[0].attributes['input.value']).toBe(`${'a'.repeat(5000)}!`);
  });

  it('refuses a pattern RE2 cannot run with 400 naming the construct', async () => {
    const p = await makeProject(['admin']);
    const res = await call('PATCH', `/api/v1/projects/${p.projectId}`, { key: p.key }, { redaction: { customPatterns: [{ name: 'la', pattern: '(?=a)a' }] } });
    expect(res.status).toBe(400);
    expect(res.text).toContain('lookaround');
  });
});
