import { describe, expect, it } from 'vitest';
import { addRecordsFromTraces, traceIdsMatching } from '../../../worker/datasets/from-traces';
import { call, hex, projectEnvOf, shardOf } from '../helpers';
import { datasetProject, exportText, ingestChats, makeDataset } from './fixtures';

const fromTraces = (p: { admin: { key?: string } }, id: string, body: Record<string, unknown>) => call('POST', `/api/v1/datasets/${id}/records/from-traces`, p.admin, body);

describe('POST /api/v1/datasets/:datasetId/records/from-traces', () => {
  it('maps each trace to a record with its provenance', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const [t1, t2] = await ingestChats(p.key, [{ input: 'Refund?', output: 'Within 30 days.' }, { input: 'Shipping?', output: 'Two days.', model: 'gpt-4.1' }]);
    const res = await fromTraces(p, id, { traceIds: [t1, t2.toUpperCase()], mapping: { input: { from: 'first_user_message' } } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ version: 1, skipped: [], notFound: [], rejected: [] });
    expect(res.body.added.map((a: any) => a.traceId)).toEqual([t1, t2]);
    const records = (await call('GET', `/api/v1/datasets/${id}/records?order=asc`, p.admin)).body.data;
    expect(records[1]).toMatchObject({
      input: 'Shipping?', output: 'Two days.', expectedOutput: null, metadata: { model: 'gpt-4.1' },
      source: { kind: 'trace', traceId: t2, spanId: expect.stringMatching(/^[0-9a-f]{16}$/), addedBy: expect.stringMatching(/^key:/), ruleId: null },
      addedVersion: 1,
    });
  });

  it('keeps the chat of the root call by default, so the OpenAI export carries it as messages', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const [t] = await ingestChats(p.key, [{ input: 'Hello?', output: 'Hi!' }]);
    await fromTraces(p, id, { traceIds: [t] });
    expect(await exportText(p, id, 'format=openai')).toBe('{"messages":[{"role":"user","content":"Hello?"},{"role":"assistant","content":"Hi!"}]}\n');
  });

  it('does not add a trace twice unless asked', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const [t1, t2] = await ingestChats(p.key, [{ input: 'a', output: 'b' }, { input: 'c', output: 'd' }]);
    await fromTraces(p, id, { traceIds: [t1] });
    const again = await fromTraces(p, id, { traceIds: [t1, t2, t2] });
    expect(again.body).toMatchObject({ version: 2, skipped: [t1] });
    expect(again.body.added.map((a: any) => a.traceId)).toEqual([t2]);
    const nothing = await fromTraces(p, id, { traceIds: [t1, t2] });
    expect(nothing.body).toMatchObject({ version: null, added: [], skipped: [t1, t2] });
    const dup = await fromTraces(p, id, { traceIds: [t1], allowDuplicates: true });
    expect(dup.body).toMatchObject({ version: 3, added: [{ traceId: t1 }] });
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).body).toMatchObject({ version: 3, recordCount: 3 });
  });

  it('reports unknown traces, traces of other projects and traces the mapping finds nothing in', async () => {
    const p = await datasetProject();
    const other = await datasetProject();
    const id = await makeDataset(p);
    const [mine] = await ingestChats(p.key, [{ input: 'q', output: 'a' }]);
    const [theirs] = await ingestChats(other.key, [{ input: 'secret', output: 'x' }]);
    const unknown = hex(16);
    const res = await fromTraces(p, id, { traceIds: [mine, theirs, unknown] });
    expect(res.body).toMatchObject({ notFound: [theirs, unknown], rejected: [] });
    const bad = await fromTraces(p, id, { traceIds: [mine], allowDuplicates: true, mapping: { input: { from: 'span_attribute', path: 'app.nope' } } });
    expect(bad.body).toMatchObject({ version: null, added: [], rejected: [{ traceId: mine, message: 'the trace has no attribute app.nope for the input' }] });
  });

  it('adds every trace matching an explorer filter, not just a page of them', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const model = `m-${hex(3)}`;
    const chats = Array.from({ length: 230 }, (_, i) => ({ input: `q${i}`, output: `a${i}`, model: i % 2 ? model : 'gpt-4o-mini' }));
    for (let i = 0; i < chats.length; i += 100) await ingestChats(p.key, chats.slice(i, i + 100));
    const res = await fromTraces(p, id, { query: `model=${model}&limit=10&sort=duration` });
    expect(res.status, res.text).toBe(200);
    expect(res.body.added).toHaveLength(115);
    const byObject = await fromTraces(p, id, { filter: { model }, allowDuplicates: false });
    expect(byObject.body).toMatchObject({ version: null, added: [] });
    expect(byObject.body.skipped).toHaveLength(115);
    const bad = await fromTraces(p, id, { query: 'eval=faithfulness:nope' });
    expect(bad.status).toBe(400);
    expect((await fromTraces(p, id, { traceIds: [hex(16)], query: 'model=x' })).status).toBe(400);
  });

  it('refuses a filter that matches more than the limit, with a clear message', async () => {
    const p = await datasetProject();
    await ingestChats(p.key, [{ input: 'a', output: 'b' }, { input: 'c', output: 'd' }, { input: 'e', output: 'f' }]);
    await expect(traceIdsMatching(await shardOf(p.projectId), p.projectId, {}, 2)).rejects.toThrow('The filter matches more than 2 traces');
    expect(await traceIdsMatching(await shardOf(p.projectId), p.projectId, {}, 3)).toHaveLength(3);
  });
});

describe('addRecordsFromTraces (automations)', () => {
  it('records the rule, appends, and never re-adds a trace whose record a person removed', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const [t1, t2] = await ingestChats(p.key, [{ input: 'a', output: 'b' }, { input: 'c', output: 'd' }]);
    const source = { ruleId: 'rule-1', ruleVersion: 3 };
    const first = await addRecordsFromTraces(await projectEnvOf(p.projectId), p.projectId, id, [t1, t2], { input: { from: 'first_user_message' } }, { source });
    expect(first.added.map((a) => a.traceId)).toEqual([t1, t2]);
    const records = (await call('GET', `/api/v1/datasets/${id}/records?order=asc`, p.admin)).body.data;
    expect(records[0].source).toMatchObject({ kind: 'trace', ruleId: 'rule-1', ruleVersion: 3, addedBy: 'rule:rule-1' });
    const versions = (await call('GET', `/api/v1/datasets/${id}/versions`, p.admin)).body.data;
    expect(versions[0].summary).toBe('Added by automation rule-1 (v3)');

    await call('DELETE', `/api/v1/datasets/${id}/records/${first.added[0].recordId}`, p.admin);
    const rerun = await addRecordsFromTraces(await projectEnvOf(p.projectId), p.projectId, id, [t1, t2], {}, { source });
    expect(rerun).toMatchObject({ version: null, added: [], skipped: [t1, t2] });
    // A person may add it back.
    const byPerson = await fromTraces(p, id, { traceIds: [t1] });
    expect(byPerson.body.added.map((a: any) => a.traceId)).toEqual([t1]);
  });
});
