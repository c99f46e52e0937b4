import { describe, expect, it } from 'vitest';
import { csvField, csvLine, parseCsv } from '../../../worker/datasets/csv';

describe('csvField (RFC 4180)', () => {
  it('leaves plain text alone and quotes fields with commas, quotes, CR or LF, doubling the quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it('writes null as an empty field, numbers as they are and objects as quoted JSON', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(3)).toBe('3');
    expect(csvField({ a: 1, b: 'x' })).toBe('"{""a"":1,""b"":""x""}"');
    expect(csvField(['one'])).toBe('"[""one""]"');
  });

  it('keeps a leading = or + as typed: a dataset cell must round-trip unchanged', () => {
    expect(csvField('=SUM(A1)')).toBe('=SUM(A1)');
  });

  it('ends each line with CRLF', () => {
    expect(csvLine(['a', 'b,c', null, 2])).toBe('a,"b,c",,2\r\n');
  });
});

describe('parseCsv', () => {
  it('reads back what csvLine wrote, whatever the cells hold', () => {
    const rows = [
      ['input', 'output'],
      ['Is it, "really", free?', 'Yes.\r\nMostly.'],
      ['  spaced  ', ''],
      ['ünïcödé — 日本語', '"'],
      ['multi\nline\n\nwith blank line', ',,,'],
    ];
    const text = rows.map(csvLine).join('');
    const parsed = parseCsv(text);
    expect(parsed.header).toEqual(rows[0]);
    expect(parsed.rows.map((r) => r.cells)).toEqual(rows.slice(1));
    expect(parsed.rows.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    expect(parsed.errors).toEqual([]);
  });

  it('strips a BOM, accepts LF line ends and skips blank lines', () => {
    const parsed = parseCsv('\ufeffinput,output\nq1,a1\n\nq2,a2\n');
    expect(parsed.header).toEqual(['input', 'output']);
    expect(parsed.rows).toEqual([{ row: 1, cells: ['q1', 'a1'] }, { row: 3, cells: ['q2', 'a2'] }]);
  });

  it('reports an unterminated quote on its row and keeps the rows before it', () => {
    const parsed = parseCsv('input\r\nfine\r\n"never closed\r\nlost');
    expect(parsed.rows.map((r) => r.cells)).toEqual([['fine']]);
    expect(parsed.errors).toEqual([{ row: 2, message: expect.stringContaining('not closed') }]);
  });
});
