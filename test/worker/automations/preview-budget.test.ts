import { describe, expect, it } from 'vitest';
import { previewRule, type PreviewBudget } from '../../../worker/automations/preview';
import { PreviewBody } from '../../../worker/schemas/automations';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, projectEnvOf } from '../helpers';

/** `n` traces of one span each; start times repeat in threes, so pages break between equal times too. */
async function ingest(key: string, n: number): Promise<string[]> {
  const base = Date.now() - 60_000;
  const ids = Array.from({ length: n }, () => hex(16));
  const res = await postOtlp(otlpJson(ids.map((t, i) => llmSpan(t, undefined, { startMs: base - Math.floor(i / 3) * 1000 }))), key);
  expect(res.status).toBe(200);
  return ids;
}

const everyTrace = { all: [{ service: 'test-svc' }] };
const withAttribute = { all: [{ spanAttribute: { key: 'gen_ai.request.model', op: 'exists' as const } }] };

type Answer = Awaited<ReturnType<typeof previewRule>>;

/** Follows the cursors of a preview to the end, with `budget` per request; returns every answer. */
async function followAll(projectId: string, condition: unknown, budget: PreviewBudget, clock?: () => number): Promise<Answer[]> {
  const env = await projectEnvOf(projectId);
  const answers: Answer[] = [];
  let cursor: string | undefined;
  do {
    const body = PreviewBody.parse({ condition, hours: 1, ...(cursor ? { cursor } : {}) });
    const answer = await previewRule(env, projectId, body, { budget, clock });
    answers.push(answer);
    cursor = answer.cursor ?? undefined;
    expect(answers.length).toBeLessThan(50);
  } while (cursor);
  return answers;
}

describe('POST /api/v1/automations/preview budgets', () => {
  it('answers partial past the trace budget, and following the cursors covers every trace exactly once', async () => {
    const p = await makeProject(['ingest', 'read']);
    const ids = await ingest(p.key, 30);
    const answers = await followAll(p.projectId, everyTrace, { traces: 7, r2Reads: 1000, ms: 60_000 });

    expect(answers).toHaveLength(5);
    expect(answers[0]).toMatchObject({ partial: true, scanned: 7, total: 30, matched: 7, sampled: 7, totalIsLowerBound: false });
    expect(answers[0].cursor).toEqual(expect.any(String));
    expect(answers.at(-1)).toMatchObject({ partial: false, cursor: null, scanned: 30, total: 30, matched: 30, sampled: 30 });
    // Each answer's examples are the traces it sampled (at most 7 < 20), so together they are every trace once.
    const seen = answers.flatMap((a) => a.sample.map((t) => t.traceId));
    expect(seen).toHaveLength(30);
    expect([...seen].sort()).toEqual([...ids].sort());
    // Newest first across answers, as one long scan would list them.
    const starts = answers.flatMap((a) => a.sample.map((t) => Date.parse(t.startTime)));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    // Every answer keeps the rule id and window of the first.
    expect(new Set(answers.map((a) => `${a.id} ${a.from} ${a.to}`)).size).toBe(1);
  });

  it('stops after the R2 read budget when the condition reads span attributes', async () => {
    const p = await makeProject(['ingest', 'read']);
    await ingest(p.key, 30);
    const answers = await followAll(p.projectId, withAttribute, { traces: 1000, r2Reads: 3, ms: 60_000 });
    // Span pages are 25 traces; the first page spends the budget (one object read per trace here).
    expect(answers.map((a) => [a.partial, a.scanned, a.matched])).toEqual([
      [true, 25, 25],
      [false, 30, 30],
    ]);
  });

  it('stops at the time budget after the page that passed it', async () => {
    const p = await makeProject(['ingest', 'read']);
    await ingest(p.key, 30);
    let t = 0;
    const answers = await followAll(p.projectId, withAttribute, { traces: 1000, r2Reads: 1000, ms: 1500 }, () => (t += 2000));
    expect(answers.map((a) => [a.partial, a.scanned])).toEqual([
      [true, 25],
      [false, 30],
    ]);
  });

  it('returns a cursor over HTTP that the next request accepts, and refuses a bad cursor with 400', async () => {
    const p = await makeProject(['ingest', 'read']);
    await ingest(p.key, 3);
    const first = await call('POST', '/api/v1/automations/preview', { key: p.key }, { condition: everyTrace, hours: 1 });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ partial: false, cursor: null, scanned: 3, total: 3, matched: 3 });

    for (const cursor of ['not-a-cursor', btoa('{"id":"x"}'), btoa(JSON.stringify({ id: 'x', from: 2, to: 1, after: 'a', total: 0, scanned: 0, matched: 0, sampled: 0 }))]) {
      const res = await call('POST', '/api/v1/automations/preview', { key: p.key }, { condition: everyTrace, cursor });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('cursor') });
    }
    // A well-formed cursor whose keyset position is garbage is refused the same way, not a 500.
    const forged = btoa(JSON.stringify({ id: 'x', from: 1, to: 2, after: '%%%', total: 0, scanned: 0, matched: 0, sampled: 0 }));
    const res = await call('POST', '/api/v1/automations/preview', { key: p.key }, { condition: everyTrace, cursor: forged });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    // A cursor continues the preview of one rule id; another id is refused.
    const other = await call('POST', '/api/v1/automations/preview', { key: p.key }, { condition: everyTrace, id: 'y', cursor: forged });
    expect(other.status).toBe(400);
  });
});
