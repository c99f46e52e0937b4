import { describe, expect, it } from 'vitest';
import { call, signIn } from '../helpers';
import { add, datasetProject, exportText, ingestChats, inputsOf, makeDataset, raw } from './fixtures';

const records = (...inputs: string[]) => inputs.map((input) => ({ input, output: `out ${input}` }));

describe('dataset versions', () => {
  it('reads and exports any past version exactly as it was, after later adds, edits and removals', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const v1 = await add(p, id, records('a', 'b', 'c'));
    expect(v1.version).toBe(1);
    const v1Export = await exportText(p, id, 'version=1');
    const [a, b, c] = v1.added;

    const v2 = await add(p, id, records('d'));
    const edit = await call('PATCH', `/api/v1/datasets/${id}/records/${b}`, p.admin, { expectedOutput: 'B!', input: 'b2' });
    expect(edit.status, edit.text).toBe(200);
    expect(edit.body).toMatchObject({ id: b, input: 'b2', output: 'out b', expectedOutput: 'B!', addedVersion: 3 });
    const del = await call('DELETE', `/api/v1/datasets/${id}/records/${a}`, p.admin);
    expect(del.body).toEqual({ version: 4, added: [], removed: [a] });
    expect(v2.version).toBe(2);

    // Version 1 after three later versions: byte for byte the export made back then.
    expect(await exportText(p, id, 'version=1')).toBe(v1Export);
    expect(inputsOf(await exportText(p, id, 'version=2'))).toEqual(['a', 'b', 'c', 'd']);
    expect(inputsOf(await exportText(p, id, 'version=3'))).toEqual(['a', 'c', 'd', 'b2']);
    expect(inputsOf(await exportText(p, id))).toEqual(['c', 'd', 'b2']);
    const ids = (await exportText(p, id)).split('\n').filter(Boolean).map((l) => JSON.parse(l).id);
    expect(ids).toEqual([c, v2.added[0], b]);

    const versions = await call('GET', `/api/v1/datasets/${id}/versions`, p.admin);
    expect(versions.body.data.map((v: any) => [v.version, v.added, v.removed, v.edited, v.recordCount])).toEqual([
      [4, 0, 1, 0, 3],
      [3, 0, 0, 1, 4],
      [2, 1, 0, 0, 4],
      [1, 3, 0, 0, 3],
    ]);
    const dataset = await call('GET', `/api/v1/datasets/${id}`, p.admin);
    expect([dataset.body.version, dataset.body.recordCount]).toEqual([4, 3]);
  });

  it("lists a version's records and its diff: what it added and what it removed", async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const { added } = await add(p, id, records('keep', 'edit', 'drop'));
    await call('PATCH', `/api/v1/datasets/${id}/records/${added[1]}`, p.admin, { input: 'edited' });
    await call('POST', `/api/v1/datasets/${id}/records/remove`, p.admin, { recordIds: [added[2], 'not-a-record'] });
    const list = async (q: string) => (await call('GET', `/api/v1/datasets/${id}/records?order=asc&${q}`, p.admin)).body.data.map((r: any) => r.input);
    expect(await list('version=1')).toEqual(['keep', 'edit', 'drop']);
    expect(await list('version=2&change=added')).toEqual(['edited']);
    expect(await list('version=2&change=removed')).toEqual(['edit']);
    expect(await list('version=3&change=removed')).toEqual(['drop']);
    expect(await list('')).toEqual(['keep', 'edited']);
    expect(await list('q=EDIT')).toEqual(['edited']);
  });

  it('pages the records list with a cursor, newest first', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    await add(p, id, records('1', '2', '3', '4', '5'));
    const first = await call('GET', `/api/v1/datasets/${id}/records?limit=2`, p.admin);
    expect(first.body.data.map((r: any) => r.input)).toEqual(['5', '4']);
    const second = await call('GET', `/api/v1/datasets/${id}/records?limit=2&cursor=${first.body.nextCursor}`, p.admin);
    const third = await call('GET', `/api/v1/datasets/${id}/records?limit=2&cursor=${second.body.nextCursor}`, p.admin);
    expect([...second.body.data, ...third.body.data].map((r: any) => r.input)).toEqual(['3', '2', '1']);
    expect(third.body.nextCursor).toBeNull();
    expect((await call('GET', `/api/v1/datasets/${id}/records?cursor=abc`, p.admin)).status).toBe(400);
  });

  it('tags a version, exports by tag, moves and deletes tags', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    await add(p, id, records('x'));
    await add(p, id, records('y'));
    expect((await call('PUT', `/api/v1/datasets/${id}/tags/golden-2026-11`, p.admin, { version: 1 })).status).toBe(200);
    expect(inputsOf(await exportText(p, id, 'tag=golden-2026-11'))).toEqual(['x']);
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).body.tags).toEqual([{ tag: 'golden-2026-11', version: 1 }]);
    const versions = await call('GET', `/api/v1/datasets/${id}/versions`, p.admin);
    expect(versions.body.data.map((v: any) => v.tags)).toEqual([[], ['golden-2026-11']]);
    await call('PUT', `/api/v1/datasets/${id}/tags/golden-2026-11`, p.admin, { version: 2 });
    expect(inputsOf(await exportText(p, id, 'tag=golden-2026-11'))).toEqual(['x', 'y']);
    expect((await call('PUT', `/api/v1/datasets/${id}/tags/future`, p.admin, { version: 3 })).status).toBe(404);
    expect((await call('PUT', `/api/v1/datasets/${id}/tags/bad%20tag`, p.admin, { version: 1 })).status).toBe(400);
    expect((await call('DELETE', `/api/v1/datasets/${id}/tags/golden-2026-11`, p.admin)).status).toBe(204);
    expect((await call('GET', `/api/v1/datasets/${id}/export?tag=golden-2026-11`, p.admin)).status).toBe(404);
    expect((await call('GET', `/api/v1/datasets/${id}/export?version=9`, p.admin)).status).toBe(404);
  });

  it('makes no version for a change that changes nothing', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const res = await call('POST', `/api/v1/datasets/${id}/records/remove`, p.admin, { recordIds: ['nothing-here'] });
    expect(res.body).toEqual({ version: null, added: [], removed: [] });
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).body.version).toBe(0);
    expect(await exportText(p, id)).toBe('');
  });
});

describe('record schema', () => {
  it('refuses records that do not fit, all or nothing, naming each problem', async () => {
    const p = await datasetProject();
    const recordSchema = { input: 'text', expectedOutput: 'text', metadata: [{ key: 'topic', type: 'string', required: true }] };
    const id = await makeDataset(p, { recordSchema });
    const res = await call('POST', `/api/v1/datasets/${id}/records`, p.admin, {
      records: [{ input: 'ok', metadata: { topic: 'billing' } }, { input: { not: 'text' }, metadata: {} }],
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ index: 1, message: 'input must be text; metadata.topic is required' }]);
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).body.version).toBe(0);
    const edit = await add(p, id, [{ input: 'ok', metadata: { topic: 'billing' } }]);
    const bad = await call('PATCH', `/api/v1/datasets/${id}/records/${edit.added[0]}`, p.admin, { metadata: { topic: 3 } });
    expect([bad.status, bad.body.error.message]).toEqual([422, expect.stringContaining('metadata.topic must be a string')]);
  });

  it('refuses a record over the size limit', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const res = await call('POST', `/api/v1/datasets/${id}/records`, p.admin, { records: [{ input: 'x'.repeat(600_000) }] });
    expect([res.status, res.body.error.details[0].message]).toEqual([422, expect.stringContaining('limit is 500000')]);
  });
});

describe('dataset access', () => {
  it('lets viewers read and export, reviewers curate records, admins manage datasets', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const viewer = await signIn(p.projectId, 'viewer');
    const reviewer = await signIn(p.projectId, 'reviewer');
    expect((await raw('GET', `/api/v1/datasets/${id}/export`, { cookie: viewer.cookie })).status).toBe(200);
    expect((await call('POST', `/api/v1/datasets/${id}/records`, { cookie: viewer.cookie }, { records: [{ input: 'x' }] })).status).toBe(403);
    expect((await call('POST', `/api/v1/datasets/${id}/records`, { cookie: reviewer.cookie }, { records: [{ input: 'x' }] })).status).toBe(200);
    expect((await call('POST', '/api/v1/datasets', { cookie: reviewer.cookie }, { name: 'Mine' })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/datasets/${id}`, { cookie: reviewer.cookie })).status).toBe(403);
  });

  it('keeps names unique per project and deletes a dataset with its records', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p, { name: 'Golden' });
    expect((await call('POST', '/api/v1/datasets', p.admin, { name: 'Golden' })).status).toBe(409);
    const other = await makeDataset(p, { name: 'Other' });
    expect((await call('PATCH', `/api/v1/datasets/${other}`, p.admin, { name: 'Golden' })).status).toBe(409);
    await add(p, id, records('a'));
    expect((await call('DELETE', `/api/v1/datasets/${id}`, p.admin)).status).toBe(204);
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).status).toBe(404);
    expect((await call('GET', '/api/v1/datasets', p.admin)).body.data.map((d: any) => d.name)).toEqual(['Other']);
  });
});

describe('concurrent changes', () => {
  it('get one version each, with counts that add up', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => add(p, id, records(`a${i}`, `b${i}`))));
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    const versions = (await call('GET', `/api/v1/datasets/${id}/versions`, p.admin)).body.data;
    expect(versions.map((v: any) => [v.version, v.added, v.recordCount])).toEqual([6, 5, 4, 3, 2, 1].map((n) => [n, 2, n * 2]));
    for (const r of results) expect(inputsOf(await exportText(p, id, `version=${r.version}&format=jsonl`))).toHaveLength(r.version * 2);
  });

  it('add a trace once when two requests add it at the same time', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const [t] = await ingestChats(p.key, [{ input: 'q', output: 'a' }]);
    const both = await Promise.all([0, 1, 2].map(() => call('POST', `/api/v1/datasets/${id}/records/from-traces`, p.admin, { traceIds: [t] })));
    expect(both.map((r) => r.body.added.length).sort()).toEqual([0, 0, 1]);
    expect((await call('GET', `/api/v1/datasets/${id}`, p.admin)).body).toMatchObject({ version: 1, recordCount: 1 });
  });
});
