import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../worker/index';
import { call, dattr, getJson, hex, llmSpan, makeProject, otlpJson, postOtlp, sattr, shardOf } from '../helpers';

const post = (key: string, items: unknown) => call('POST', '/api/v1/evaluations', { key }, { items });
const trace = (key: string, traceId: string) => getJson(`/api/v1/traces/${traceId}`, { key });
const list = (key: string, query: string) => getJson(`/api/v1/traces?${query}`, { key });
const ingest = async (key: string, spans: Parameters<typeof otlpJson>[0]) => expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /api/v1/evaluations', () => {
  it('stores evaluations of a trace and shows them on the trace and in its list row', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const span = llmSpan(traceId, undefined);
    await ingest(key, [span]);
    const res = await post(key, [
      { traceId: traceId.toUpperCase(), name: 'faithfulness', score: 0.4, label: 'partial', explanation: 'one claim unsupported', evaluatorKind: 'llm', evaluatorVersion: 'judge-v2', timestamp: '2026-01-02T03:04:05.000Z' },
      { traceId, spanId: span.spanId, name: 'toxicity', label: 'safe', evaluatorKind: 'code' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 2, rejected: 0 });
    expect(res.body.results.map((r: any) => [r.index, r.status])).toEqual([[0, 'stored'], [1, 'stored']]);

    const { body } = await trace(key, traceId);
    expect(body.evaluations).toEqual([
      {
        id: res.body.results[0].id, traceId, spanId: null, name: 'faithfulness', score: 0.4, label: 'partial',
        explanation: 'one claim unsupported', evaluatorKind: 'llm', evaluatorVersion: 'judge-v2', source: 'api',
        timestamp: '2026-01-02T03:04:05.000Z',
      },
      expect.objectContaining({ id: res.body.results[1].id, spanId: span.spanId, name: 'toxicity', score: null, label: 'safe', evaluatorKind: 'code', evaluatorVersion: null }),
    ]);
    expect(body.trace.evalCount).toBe(2);
    expect(body.trace.scores).toEqual([
      { name: 'faithfulness', score: 0.4, label: 'partial' },
      { name: 'toxicity', score: null, label: 'safe' },
    ]);
    const row = (await list(key, '')).body.data[0];
    expect([row.traceId, row.evalCount, row.scores]).toEqual([traceId, 2, body.trace.scores]);
  });

  it('updates, never duplicates, a result re-sent with the same client id', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    await ingest(key, [llmSpan(traceId, undefined)]);
    const first = await post(key, [{ id: 'judge-run-1', traceId, name: 'faithfulness', score: 0.2 }]);
    const again = await post(key, [{ id: 'judge-run-1', traceId, name: 'faithfulness', score: 0.8, label: 'ok' }]);
    expect(again.body.results[0].id).toBe(first.body.results[0].id);
    const { body } = await trace(key, traceId);
    expect(body.evaluations.map((e: any) => [e.id, e.score, e.label])).toEqual([[first.body.results[0].id, 0.8, 'ok']]);
    expect(body.trace.scores).toEqual([{ name: 'faithfulness', score: 0.8, label: 'ok' }]);
    expect(body.trace.evalCount).toBe(1);
  });

  it('updates a result re-sent with the same trace, span, evaluator name and version, and answers with its stored id', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const span = llmSpan(traceId, undefined);
    await ingest(key, [span]);
    const item = { traceId, spanId: span.spanId, name: 'relevance', evaluatorVersion: 'v1' };
    const first = await post(key, [{ ...item, score: 0.1 }]);
    const again = await post(key, [{ ...item, score: 0.9 }]);
    expect(again.body.results[0].id).toBe(first.body.results[0].id);
    // Another version, another span or the whole trace are other results.
    await post(key, [{ ...item, evaluatorVersion: 'v2', score: 0.5 }, { ...item, spanId: undefined, score: 0.7 }]);
    const { body } = await trace(key, traceId);
    expect(body.evaluations.map((e: any) => [e.spanId, e.evaluatorVersion, e.score]).sort()).toEqual([
      [null, 'v1', 0.7],
      [span.spanId, 'v1', 0.9],
      [span.spanId, 'v2', 0.5],
    ]);
    expect(body.evaluations.find((e: any) => e.score === 0.9).id).toBe(first.body.results[0].id);
    expect(body.trace.scores).toEqual([{ name: 'relevance', score: 0.5, label: null }]);
  });

  it('keeps one result when the same item repeats inside one batch', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const res = await post(key, [
      { traceId, name: 'relevance', score: 0.3 },
      { traceId, name: 'relevance', score: 0.6 },
      { id: 'c-1', traceId, name: 'tone', label: 'rude' },
      { id: 'c-1', traceId, name: 'tone', label: 'polite' },
    ]);
    expect(res.body.stored).toBe(4);
    const ids = res.body.results.map((r: any) => r.id);
    expect([ids[0] === ids[1], ids[2] === ids[3]]).toEqual([true, true]);
    await ingest(key, [llmSpan(traceId, undefined)]);
    const { body } = await trace(key, traceId);
    expect(body.evaluations.map((e: any) => [e.id, e.name, e.score, e.label])).toEqual([
      [ids[0], 'relevance', 0.6, null],
      [ids[2], 'tone', null, 'polite'],
    ]);
  });

  it('answers per item: rejected ones with their index and why, valid ones stored', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const res = await post(key, [
      { traceId, name: 'relevance', score: 1 },
      { traceId: 'not-a-trace', name: 'relevance', score: 1 },
      { traceId, name: 'relevance' },
      'not an object',
      { traceId, name: 'tone', label: 'polite', evaluatorKind: 'robot' },
      { traceId, name: 'tone', label: 'polite', evaluatorKind: 'human' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stored: 2, rejected: 4 });
    expect(res.body.results.map((r: any) => [r.index, r.status])).toEqual([
      [0, 'stored'], [1, 'rejected'], [2, 'rejected'], [3, 'rejected'], [4, 'rejected'], [5, 'stored'],
    ]);
    const errors = Object.fromEntries(res.body.results.filter((r: any) => r.error).map((r: any) => [r.index, r.error.message]));
    expect(errors[1]).toMatch(/^traceId: .*32 hex/);
    expect(errors[2]).toMatch(/score or a label/);
    expect(errors[3]).toMatch(/^item: /);
    expect(errors[4]).toMatch(/^evaluatorKind: /);
    expect(res.body.results[1].error.details[0].path).toBe('traceId');
    await ingest(key, [llmSpan(traceId, undefined)]);
    expect((await trace(key, traceId)).body.evaluations.map((e: any) => [e.name, e.evaluatorKind])).toEqual([['relevance', 'llm'], ['tone', 'human']]);
  });

  it('answers an empty batch, an oversized batch and a body without items with 400', async () => {
    const { key } = await makeProject();
    const empty = await post(key, []);
    expect([empty.status, empty.body.error.message]).toEqual([400, expect.stringMatching(/at least one item/)]);
    const item = { traceId: hex(16), name: 'relevance', score: 1 };
    const big = await post(key, Array.from({ length: 1001 }, () => item));
    expect([big.status, big.body.error.message]).toEqual([400, expect.stringMatching(/at most 1000 items/)]);
    expect((await call('POST', '/api/v1/evaluations', { key }, { evaluations: [item] })).status).toBe(400);
    expect((await call('POST', '/api/v1/evaluations', { key }, [item])).status).toBe(400);
  });

  it('stores a full batch of 1000 results with long explanations', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const items = Array.from({ length: 1000 }, (_, i) => ({ traceId, name: `judge-${i}`, score: i / 1000, explanation: 'x'.repeat(10_000) }));
    const res = await post(key, items);
    expect(res.status, res.text).toBe(200);
    expect(res.body.stored).toBe(1000);
    await ingest(key, [llmSpan(traceId, undefined)]);
    const { body } = await trace(key, traceId);
    expect([body.evaluations.length, body.trace.evalCount, body.trace.scores.length]).toEqual([1000, 1000, 1000]);
  });

  it('answers 401 without a key and 403 for a key without the ingest scope', async () => {
    const items = [{ traceId: hex(16), name: 'relevance', score: 1 }];
    expect((await call('POST', '/api/v1/evaluations', {}, { items })).status).toBe(401);
    const { key } = await makeProject(['read']);
    const res = await post(key, items);
    expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
  });

  it('re-enqueues each touched trace once for post-ingest work, and the consumer acks it', async () => {
    const { key, projectId } = await makeProject();
    const [a, b] = [hex(16), hex(16)];
    await ingest(key, [llmSpan(a, undefined)]);
    const sendBatch = vi.spyOn(env.POST_INGEST, 'sendBatch');
    await post(key, [{ traceId: a, name: 'relevance', score: 1 }, { traceId: b, name: 'relevance', score: 0 }, { traceId: a, name: 'tone', label: 'ok' }, { traceId: 'bad' }]);
    expect(sendBatch).toHaveBeenCalledTimes(1);
    const sent = sendBatch.mock.calls[0][0] as { body: unknown }[];
    expect(sent).toEqual([{ body: { type: 'traces.touched', projectId, traceIds: [a, b] }, delaySeconds: 0 }]);

    const batch = createMessageBatch('sieve-post-ingest', [{ id: 'm-1', timestamp: new Date(), attempts: 1, body: sent[0].body }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect([result.explicitAcks, result.retryMessages]).toEqual([['m-1'], []]);
  });

  it('enqueues nothing when every item is rejected', async () => {
    const { key } = await makeProject();
    const sendBatch = vi.spyOn(env.POST_INGEST, 'sendBatch');
    const res = await post(key, [{ traceId: 'bad', name: 'x', score: 1 }]);
    expect(res.body).toMatchObject({ stored: 0, rejected: 1 });
    expect(sendBatch).not.toHaveBeenCalled();
  });
});

describe('evaluations that arrive before their trace', () => {
  it('are kept, then shown on the trace and filterable once it arrives', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    expect((await post(key, [{ traceId, name: 'faithfulness', score: 0.2 }])).body.stored).toBe(1);
    expect((await trace(key, traceId)).status).toBe(404);
    expect((await list(key, 'eval=faithfulness:lt:0.5')).body.data).toEqual([]);

    await ingest(key, [llmSpan(traceId, undefined)]);
    const { body } = await trace(key, traceId);
    expect(body.evaluations.map((e: any) => [e.name, e.score])).toEqual([['faithfulness', 0.2]]);
    expect([body.trace.evalCount, body.trace.scores]).toEqual([1, [{ name: 'faithfulness', score: 0.2, label: null }]]);
    expect((await list(key, 'eval=faithfulness:lt:0.5')).body.data.map((t: any) => t.traceId)).toEqual([traceId]);
    expect((await list(key, 'sort=score&sortEval=faithfulness')).body.data.map((t: any) => t.traceId)).toEqual([traceId]);
  });

  it("follow the trace's start when a later span moves it earlier", async () => {
    const { key, projectId } = await makeProject();
    const traceId = hex(16);
    const t0 = Date.now() - 60_000;
    await post(key, [{ traceId, name: 'faithfulness', score: 0.2 }]);
    await ingest(key, [llmSpan(traceId, undefined, { startMs: t0 + 5_000 })]);
    const inFirstSecond = `eval=faithfulness:lt:0.5&from=${t0}&to=${t0 + 1_000}`;
    expect((await list(key, inFirstSecond)).body.data).toEqual([]);

    await ingest(key, [{ traceId, spanId: hex(8), name: 'root', startMs: t0, durationMs: 6_000 }]);
    const row = await (await shardOf(projectId)).prepare('SELECT start_ms FROM trace_evals WHERE project_id = ? AND trace_id = ?').bind(projectId, traceId).first<{ start_ms: number }>();
    expect(row?.start_ms).toBe(t0);
    expect((await list(key, inFirstSecond)).body.data.map((t: any) => t.traceId)).toEqual([traceId]);
  });
});

describe('evaluations inside OTLP telemetry', () => {
  const evaluated = (traceId: string, spanId: string) => ({
    ...llmSpan(traceId, undefined),
    spanId,
    attributes: [...llmSpan(traceId, undefined).attributes!, dattr('annotation.hallucination.score', 0), sattr('annotation.hallucination.label', 'factual')],
    events: [
      {
        name: 'gen_ai.evaluation.result',
        timeMs: Date.parse('2026-03-01T00:00:00.000Z'),
        attributes: [
          sattr('gen_ai.evaluation.name', 'relevance'),
          dattr('gen_ai.evaluation.score.value', 0.35),
          sattr('gen_ai.evaluation.score.label', 'off-topic'),
          sattr('gen_ai.evaluation.explanation', 'answers about shipping'),
        ],
      },
      { name: 'exception', attributes: [sattr('exception.message', 'not an evaluation')] },
    ],
  });

  it('become evaluations of the trace, once however often the batch is re-sent', async () => {
    const { key } = await makeProject();
    const traceId = hex(16);
    const spanId = hex(8);
    const body = otlpJson([evaluated(traceId, spanId)]);
    for (let i = 0; i < 3; i++) expect((await postOtlp(body, key)).status).toBe(200);

    const { body: t } = await trace(key, traceId);
    expect(t.evaluations).toEqual([
      expect.objectContaining({ traceId, spanId, name: 'hallucination', score: 0, label: 'factual', source: 'otel', evaluatorKind: 'llm' }),
      expect.objectContaining({ traceId, spanId, name: 'relevance', score: 0.35, label: 'off-topic', explanation: 'answers about shipping', source: 'otel', timestamp: '2026-03-01T00:00:00.000Z' }),
    ]);
    expect(t.trace.evalCount).toBe(2);
    expect((await list(key, 'eval=relevance:lt:0.5')).body.data.map((r: any) => r.traceId)).toEqual([traceId]);
    expect((await list(key, 'eval=hallucination:label:factual')).body.data.map((r: any) => r.traceId)).toEqual([traceId]);
  });
});
