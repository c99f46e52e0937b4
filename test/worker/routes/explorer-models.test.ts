import { describe, expect, it } from 'vitest';
import { getJson, hex, llmSpan, makeProject, otlpJson, postOtlp } from '../helpers';

/** The model filter matches any model a trace called, not only its headline model, and never a prefix. */
describe('GET /api/v1/traces?model=…, traces that call several models', () => {
  it('finds a trace by its second model, exactly, for plain names and for names JSON escapes', async () => {
    const { key } = await makeProject();
    const root = { traceId: hex(16), spanId: hex(8), name: 'router' };
    const odd = 'lab/"quoted"\\model';
    const spans = [
      root,
      llmSpan(root.traceId, root.spanId, { model: 'gpt-4o', startMs: Date.now() - 2000 }),
      llmSpan(root.traceId, root.spanId, { model: 'claude-haiku', startMs: Date.now() - 1000 }),
      llmSpan(root.traceId, root.spanId, { model: odd, startMs: Date.now() - 500 }),
    ];
    expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);
    const ids = async (model: string) => (await getJson(`/api/v1/traces?model=${encodeURIComponent(model)}`, { key })).body.data.map((t: { traceId: string }) => t.traceId);
    const detail = (await getJson(`/api/v1/traces/${root.traceId}`, { key })).body.trace;
    expect(detail.models).toEqual(expect.arrayContaining(['gpt-4o', 'claude-haiku', odd]));
    expect(await ids('claude-haiku')).toEqual([root.traceId]);
    expect(await ids(odd)).toEqual([root.traceId]);
    expect(await ids('claude')).toEqual([]);
    expect(await ids('haiku')).toEqual([]);
  });
});
