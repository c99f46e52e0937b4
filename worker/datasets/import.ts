import type { z } from 'zod';
import { RecordInput, type ImportRowError } from '../schemas/datasets';
import { parseCsv } from './csv';
import { CSV_COLUMNS } from './formats';

/** Rows of an import file that parsed, with their number, and the rows that did not. Pure. */
export interface ParsedImport {
  rows: { row: number; record: RecordInput }[];
  errors: ImportRowError[];
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

function check(row: number, raw: unknown, out: ParsedImport): void {
  const parsed = RecordInput.safeParse(raw);
  if (parsed.success) out.rows.push({ row, record: parsed.data });
  else out.errors.push({ row, message: issues(parsed.error) });
}

/** JSONL: one record object per line (`expected_output` or `expectedOutput`); blank lines are skipped. */
export function parseJsonl(text: string): ParsedImport {
  const out: ParsedImport = { rows: [], errors: [] };
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed) return;
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      out.errors.push({ row: i + 1, message: 'not valid JSON' });
      return;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) out.errors.push({ row: i + 1, message: 'a line must be a JSON object with at least "input"' });
    else check(i + 1, raw, out);
  });
  return out;
}

/** Columns of Sieve's own CSV export that describe the exported row, not a new record: ignored on import. */
const EXPORT_ONLY = new Set<string>(CSV_COLUMNS.filter((c) => !['input', 'output', 'expected_output', 'metadata', 'source_trace_id', 'source_span_id'].includes(c)));

/** A cell as a value: empty is null; text that parses as a JSON object or array is that JSON; else the text. */
export function cellValue(cell: string): unknown {
  if (cell === '') return null;
  const t = cell.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      // plain text that happens to start with a bracket
    }
  }
  return cell;
}

/**
 * CSV with a header row. `input` is required; `output`, `expected_output` (or `expectedOutput`),
 * `metadata` (a JSON object), `source_trace_id` and `source_span_id` are read; any other column goes
 * into metadata under its name. `fatal` when the header has no `input` column or repeats a name.
 */
export function parseCsvImport(text: string): ParsedImport | { fatal: string } {
  const { header, rows, errors } = parseCsv(text);
  if (!header.includes('input')) return { fatal: `the CSV header needs an "input" column; it has: ${header.join(', ') || '(nothing)'}` };
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) return { fatal: `the CSV header names "${dup}" twice` };
  const out: ParsedImport = { rows: [], errors: [...errors] };
  for (const { row, cells } of rows) {
    if (cells.length !== header.length) {
      out.errors.push({ row, message: `the row has ${cells.length} fields; the header has ${header.length}` });
      continue;
    }
    const rec: Record<string, unknown> = { metadata: {} };
    const extra: Record<string, unknown> = {};
    let bad: string | null = null;
    header.forEach((name, i) => {
      const cell = cells[i];
      if (name === 'input' || name === 'output' || name === 'expected_output' || name === 'expectedOutput') {
        rec[name === 'expectedOutput' ? 'expected_output' : name] = cellValue(cell);
      } else if (name === 'metadata') {
        const v = cellValue(cell);
        if (v !== null && (typeof v !== 'object' || Array.isArray(v))) bad = 'metadata must be a JSON object';
        else if (v) Object.assign(extra, v);
      } else if (name === 'source_trace_id' || name === 'source_span_id') {
        if (cell) rec.source = { ...(rec.source as object), [name === 'source_trace_id' ? 'traceId' : 'spanId']: cell };
      } else if (!EXPORT_ONLY.has(name) && name && cell !== '') {
        extra[name] = cell;
      }
    });
    if (bad) {
      out.errors.push({ row, message: bad });
      continue;
    }
    rec.metadata = extra;
    if (rec.input === null) out.errors.push({ row, message: 'input: a record needs an input' });
    else check(row, rec, out);
  }
  out.errors.sort((a, b) => a.row - b.row);
  return out;
}
