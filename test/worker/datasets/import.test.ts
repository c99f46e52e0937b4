import { describe, expect, it } from 'vitest';
import { cellValue, parseCsvImport, parseJsonl } from '../../../worker/datasets/import';

describe('parseJsonl', () => {
  it('keeps valid lines and reports each bad one by its line number', () => {
    const text = [
      '{"input":"q1","expected_output":"a1"}',
      'not json',
      '',
      '{"output":"no input"}',
      '[1,2]',
      '{"input":{"messages":[]},"metadata":{"k":1}}',
      '{"input":"q","metadata":"not an object"}',
    ].join('\n');
    const r = parseJsonl(text);
    expect(r.rows.map((x) => [x.row, x.record.input, x.record.expectedOutput])).toEqual([[1, 'q1', 'a1'], [6, { messages: [] }, null]]);
    expect(r.errors).toEqual([
      { row: 2, message: 'not valid JSON' },
      { row: 4, message: expect.stringContaining('input') },
      { row: 5, message: expect.stringContaining('JSON object') },
      { row: 7, message: expect.stringContaining('metadata') },
    ]);
  });
});

describe('parseCsvImport', () => {
  it('reads input, output and expected output, puts other columns in metadata and parses JSON cells', () => {
    const text = 'input,expected_output,topic,metadata\r\n"{""q"":1}",yes,billing,"{""lang"":""en""}"\r\nplain,,,\r\n';
    const r = parseCsvImport(text);
    if ('fatal' in r) throw new Error(r.fatal);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.record)).toEqual([
      { input: { q: 1 }, output: null, expectedOutput: 'yes', metadata: { lang: 'en', topic: 'billing' }, source: {} },
      { input: 'plain', output: null, expectedOutput: null, metadata: {}, source: {} },
    ]);
  });

  it("re-imports Sieve's own CSV export: provenance columns ignored, the source trace kept", () => {
    const text = `id,input,output,expected_output,metadata,source_kind,source_trace_id,source_span_id,source_queue_id,source_annotation_id,added_by,added_version,created_at\r\nr1,q,o,e,{},trace,${'a'.repeat(32)},,,,u1,2,2026-01-01T00:00:00.000Z\r\n`;
    const r = parseCsvImport(text);
    if ('fatal' in r) throw new Error(r.fatal);
    expect(r.rows[0].record).toEqual({ input: 'q', output: 'o', expectedOutput: 'e', metadata: {}, source: { traceId: 'a'.repeat(32) } });
  });

  it('reports rows with a missing input, a wrong field count or bad metadata, and keeps the rest', () => {
    const text = 'input,output,metadata\nok,1,\n,no input,\ntoo,many,fields,here\nbad,meta,[1]\nfine,2,\n';
    const r = parseCsvImport(text);
    if ('fatal' in r) throw new Error(r.fatal);
    expect(r.rows.map((x) => [x.row, x.record.input])).toEqual([[1, 'ok'], [5, 'fine']]);
    expect(r.errors).toEqual([
      { row: 2, message: 'input: a record needs an input' },
      { row: 3, message: 'the row has 4 fields; the header has 3' },
      { row: 4, message: 'metadata must be a JSON object' },
    ]);
  });

  it('refuses a file without an input column or with a repeated column', () => {
    expect(parseCsvImport('question,answer\nq,a\n')).toEqual({ fatal: expect.stringContaining('"input" column') });
    expect(parseCsvImport('input,input\nq,a\n')).toEqual({ fatal: expect.stringContaining('twice') });
  });
});

describe('cellValue', () => {
  it('is null for empty, JSON for objects and arrays, text otherwise', () => {
    expect([cellValue(''), cellValue('{"a":1}'), cellValue('[1]'), cellValue('[not json'), cellValue('42')]).toEqual([null, { a: 1 }, [1], '[not json', '42']);
  });
});
