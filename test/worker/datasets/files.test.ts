import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { exportChunks, PAGE_BYTES } from '../../../worker/datasets/export';
import { createExportJob } from '../../../worker/datasets/export-jobs';
import { runExportJob } from '../../../worker/datasets/export-writer';
import { loadDataset } from '../../../worker/datasets/service';
import { getDb } from '../../../worker/db/client';
import { datasetExports } from '../../../worker/db/datasets';
import { MAX_IMPORT_BYTES } from '../../../worker/schemas/datasets';
import { call, projectEnvOf, shardOf } from '../helpers';
import { add, datasetProject, exportText, inputsOf, makeDataset, raw, type DatasetProject } from './fixtures';

const importFile = (p: DatasetProject, id: string, body: string, type: string, query = '') => raw('POST', `/api/v1/datasets/${id}/import${query}`, p.admin, body, type);

describe('POST /api/v1/datasets/:datasetId/import', () => {
  it('keeps the valid JSONL lines and reports each bad one by line', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p, { recordSchema: { expectedOutput: 'text' } });
    const jsonl = ['{"input":"q1","expected_output":"a1"}', '{"input":"q2","expectedOutput":{"not":"text"}}', '{oops', '', '{"input":"q3","output":"o3"}'].join('\n');
    const res = await importFile(p, id, jsonl, 'application/x-ndjson');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({
      version: 1,
      imported: 2,
      rejected: 2,
      errors: [{ row: 2, message: 'expectedOutput must be text' }, { row: 3, message: 'not valid JSON' }],
    });
    expect(inputsOf(await exportText(p, id))).toEqual(['q1', 'q3']);
    const records = (await call('GET', `/api/v1/datasets/${id}/records?order=asc`, p.admin)).body.data;
    expect(records.map((r: any) => [r.expectedOutput, r.source.kind])).toEqual([['a1', 'import'], [null, 'import']]);
  });

  it('keeps the valid CSV rows and reports the bad ones by data row', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const csv = 'input,expected_output,topic\r\n"Refund, please","Sure ""today""",billing\r\n,missing input,x\r\n"multi\nline",ok,\r\n';
    const res = await importFile(p, id, csv, 'text/csv; charset=utf-8');
    expect(res.json).toEqual({ version: 1, imported: 2, rejected: 1, errors: [{ row: 2, message: 'input: a record needs an input' }] });
    const records = (await call('GET', `/api/v1/datasets/${id}/records?order=asc`, p.admin)).body.data;
    expect(records.map((r: any) => [r.input, r.expectedOutput, r.metadata])).toEqual([
      ['Refund, please', 'Sure "today"', { topic: 'billing' }],
      ['multi\nline', 'ok', {}],
    ]);
  });

  it('refuses a file it cannot read as a whole: unknown type, no input column, too large, not UTF-8', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    expect((await importFile(p, id, 'input\nq', 'text/plain')).status).toBe(415);
    expect((await importFile(p, id, 'input\nq', 'text/plain', '?format=csv')).json).toMatchObject({ imported: 1 });
    const noInput = await importFile(p, id, 'question\nq', 'text/csv');
    expect([noInput.status, noInput.json.error.message]).toEqual([422, expect.stringContaining('"input" column')]);
    expect((await importFile(p, id, 'x'.repeat(MAX_IMPORT_BYTES + 1), 'text/csv')).status).toBe(413);
    const latin1 = await raw('POST', `/api/v1/datasets/${id}/import`, p.admin, new Uint8Array([0x69, 0x6e, 0x70, 0x75, 0x74, 0x0a, 0xe9, 0x0a]), 'text/csv');
    expect([latin1.status, latin1.json.error.message]).toEqual([400, 'The file is not UTF-8 text.']);
  });

  it('round-trips commas, quotes and newlines: CSV export, then import, gives the same records', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const tricky = [
      { input: 'a, b and "c"', output: 'line 1\nline 2', expectedOutput: 'x\r\ny', metadata: { note: 'q"uote', n: 1 } },
      { input: { structured: ['x', 'y'] }, output: null, expectedOutput: '', metadata: {} },
    ];
    await add(p, id, tricky);
    const csv = await exportText(p, id, 'format=csv');
    const copy = await makeDataset(p);
    expect((await importFile(p, copy, csv, 'text/csv')).json).toMatchObject({ imported: 2, rejected: 0 });
    const records = (await call('GET', `/api/v1/datasets/${copy}/records?order=asc`, p.admin)).body.data;
    expect(records.map((r: any) => [r.input, r.output, r.expectedOutput, r.metadata])).toEqual([
      ['a, b and "c"', 'line 1\nline 2', 'x\r\ny', { note: 'q"uote', n: 1 }],
      // CSV has no empty string apart from null.
      [{ structured: ['x', 'y'] }, null, null, {}],
    ]);
  });
});

describe('GET /api/v1/datasets/:datasetId/export', () => {
  it('writes JSONL, CSV and OpenAI fine-tuning lines byte for byte', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p, { name: 'Support golden' });
    await add(p, id, [
      { input: 'Refund window?', output: '30 days', expectedOutput: '30 days from delivery, "no questions"', metadata: { system: 'Be exact.' } },
      { input: 'Hi', output: 'Hello!' },
      { input: 'Unanswered' },
    ]);
    const [r1, r2, r3] = (await call('GET', `/api/v1/datasets/${id}/records?order=asc`, p.admin)).body.data;
    const res = await raw('GET', `/api/v1/datasets/${id}/export?format=jsonl`, p.admin);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="support-golden-v1.jsonl"');
    expect([res.headers.get('x-sieve-dataset-version'), res.headers.get('x-sieve-record-count')]).toEqual(['1', '3']);
    const line = (r: any) => `${JSON.stringify({ id: r.id, input: r.input, output: r.output, expectedOutput: r.expectedOutput, metadata: r.metadata, source: { kind: 'api', addedBy: r.source.addedBy }, addedVersion: 1, createdAt: r.createdAt })}\n`;
    expect(res.text).toBe(line(r1) + line(r2) + line(r3));

    const csv = await raw('GET', `/api/v1/datasets/${id}/export?format=csv`, p.admin);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const by = r1.source.addedBy;
    expect(csv.text).toBe(
      'id,input,output,expected_output,metadata,source_kind,source_trace_id,source_span_id,source_queue_id,source_annotation_id,added_by,added_version,created_at\r\n' +
        `${r1.id},Refund window?,30 days,"30 days from delivery, ""no questions""","{""system"":""Be exact.""}",api,,,,,${by},1,${r1.createdAt}\r\n` +
        `${r2.id},Hi,Hello!,,{},api,,,,,${by},1,${r2.createdAt}\r\n` +
        `${r3.id},Unanswered,,,{},api,,,,,${by},1,${r3.createdAt}\r\n`,
    );

    expect(await exportText(p, id, 'format=openai')).toBe(
      '{"messages":[{"role":"system","content":"Be exact."},{"role":"user","content":"Refund window?"},{"role":"assistant","content":"30 days from delivery, \\"no questions\\""}]}\n' +
        '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}\n',
    );
    expect((await call('GET', `/api/v1/datasets/${id}/export?format=xml`, p.admin)).status).toBe(400);
  });

  it('pages through D1 by keyset: every record once, in order, across many pages', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ input: `r${i}` })).join('\n');
    expect((await importFile(p, id, lines, 'application/x-ndjson')).json).toMatchObject({ imported: 2500 });
    await add(p, id, [{ input: 'after' }]);
    const inputs = inputsOf(await exportText(p, id, 'version=1'));
    expect(inputs).toEqual(Array.from({ length: 2500 }, (_, i) => `r${i}`));
  });

  it('holds at most one page of about PAGE_BYTES, whatever the records', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    await add(p, id, Array.from({ length: 12 }, (_, i) => ({ input: `${i}`.padEnd(300_000, '.') })));
    const chunks = [];
    for await (const c of exportChunks(await shardOf(p.projectId), { projectId: p.projectId, datasetId: id, version: 1, format: 'jsonl' })) chunks.push(c);
    expect(chunks.reduce((n, c) => n + c.records, 0)).toBe(12);
    // 300 KB records under a 1 MiB page budget: four per page (the fourth starts below the budget).
    expect(chunks.map((c) => c.records)).toEqual([4, 4, 4]);
    for (const c of chunks) expect(c.bytes.byteLength).toBeLessThan(PAGE_BYTES + 301_000);
  });
});

describe('exports written to R2', () => {
  async function waitDone(p: DatasetProject, id: string, exportId: string): Promise<any> {
    for (let i = 0; i < 100; i++) {
      const job = await call('GET', `/api/v1/datasets/${id}/exports/${exportId}`, p.admin);
      if (job.body.status !== 'running') return job.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('export did not finish');
  }

  it('writes the export of a version to R2, reports progress and serves it for download later', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    await add(p, id, [{ input: 'a' }, { input: 'b', expectedOutput: 'B' }]);
    await add(p, id, [{ input: 'c' }]);
    const start = await call('POST', `/api/v1/datasets/${id}/exports`, p.admin, { format: 'csv', version: 1 });
    expect(start.status, start.text).toBe(202);
    expect(start.body).toMatchObject({ status: 'running', version: 1, format: 'csv', totalRecords: 2 });
    const done = await waitDone(p, id, start.body.id);
    expect(done).toMatchObject({ status: 'done', recordsWritten: 2, error: null });
    const file = await raw('GET', `/api/v1/datasets/${id}/exports/${start.body.id}/download`, p.admin);
    expect(file.headers.get('content-disposition')).toMatch(/filename=".*-v1\.csv"/);
    expect(file.text).toBe(await exportText(p, id, 'format=csv&version=1'));
    expect(done.bytesWritten).toBe(new TextEncoder().encode(file.text).byteLength);
    const list = await call('GET', `/api/v1/datasets/${id}/exports`, p.admin);
    expect(list.body.data.map((j: any) => j.id)).toEqual([start.body.id]);
  });

  it('resumes a job from its last uploaded part when its worker stopped', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    // ~18 MB: three 8 MiB parts.
    for (let i = 0; i < 6; i++) await add(p, id, Array.from({ length: 8 }, (_, k) => ({ input: `${i}-${k}-`.padEnd(380_000, 'x') })));
    const dataset = await loadDataset(await projectEnvOf(p.projectId), p.projectId, id);
    const job = await createExportJob(await projectEnvOf(p.projectId), { dataset, version: 6, format: 'jsonl', createdBy: 'test' });
    const row = async () => (await getDb(await shardOf(p.projectId)).select().from(datasetExports).where(eq(datasetExports.id, job.id)).get())!;
    // A worker that stops after its first part (budget spent).
    await runExportJob(await projectEnvOf(p.projectId), await row(), 0);
    const after = await row();
    expect([after.status, JSON.parse(after.parts).length]).toEqual(['running', 1]);
    expect(after.recordsWritten).toBeGreaterThan(0);
    expect(after.skipBytes).toBeGreaterThan(0);
    // Its lease runs out; the next status poll picks the job up where it stopped.
    await (await shardOf(p.projectId)).prepare('UPDATE dataset_exports SET lease_until = 0 WHERE id = ?').bind(job.id).run();
    const done = await waitDone(p, id, job.id);
    expect(done).toMatchObject({ status: 'done', recordsWritten: 48, totalRecords: 48 });
    expect(done.peakChunkBytes).toBeLessThan(PAGE_BYTES + 400_000);
    const file = await raw('GET', `/api/v1/datasets/${id}/exports/${job.id}/download`, p.admin);
    expect(file.text === (await exportText(p, id))).toBe(true);
  });

  it('writes an empty export of an empty dataset', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const start = await call('POST', `/api/v1/datasets/${id}/exports`, p.admin, { format: 'jsonl' });
    expect(await waitDone(p, id, start.body.id)).toMatchObject({ status: 'done', version: 0, recordsWritten: 0, bytesWritten: 0 });
    expect((await raw('GET', `/api/v1/datasets/${id}/exports/${start.body.id}/download`, p.admin)).text).toBe('');
  });

  it('refuses to download a job that is not done', async () => {
    const p = await datasetProject();
    const id = await makeDataset(p);
    const job = await createExportJob(await projectEnvOf(p.projectId), { dataset: await loadDataset(await projectEnvOf(p.projectId), p.projectId, id), version: 0, format: 'jsonl', createdBy: 't' });
    expect((await call('GET', `/api/v1/datasets/${id}/exports/${job.id}/download`, p.admin)).status).toBe(409);
  });
});
