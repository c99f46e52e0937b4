import Papa from 'papaparse';

/**
 * CSV in and out (RFC 4180). Writing is one small quoting function, so exports stream line by line;
 * reading uses papaparse, whose per-row errors (unterminated quotes, …) become import errors.
 *
 * Cells are written exactly as stored, without the leading-quote guard some exports add against
 * spreadsheet formulas: a dataset is data for code, and a changed cell would not round-trip.
 */

/** One field: empty for null, strings as they are, other JSON values as JSON; quoted when it holds `,` `"` CR or LF. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One record line, CRLF-terminated as RFC 4180 asks. */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export interface ParsedCsv {
  header: string[];
  /** Data rows with their 1-based number (the header is not counted); blank lines are skipped. */
  rows: { row: number; cells: string[] }[];
  /** Rows the parser could not read, by the same numbering. */
  errors: { row: number; message: string }[];
}

/** Parses a whole CSV text (comma-separated, optional BOM, CRLF or LF). */
export function parseCsv(text: string): ParsedCsv {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = Papa.parse<string[]>(body, { delimiter: ',', skipEmptyLines: false });
  const [header = [], ...data] = parsed.data;
  const errors = new Map<number, string>();
  for (const e of parsed.errors) {
    if (e.row === undefined || e.row < 1) continue;
    if (!errors.has(e.row)) errors.set(e.row, e.code === 'MissingQuotes' ? 'a quoted field is not closed (the rest of the file is inside it)' : e.message);
  }
  const rows: ParsedCsv['rows'] = [];
  data.forEach((cells, i) => {
    const row = i + 1;
    if (errors.has(row) || (cells.length === 1 && cells[0] === '')) return;
    rows.push({ row, cells });
  });
  return { header: header.map((h) => h.trim()), rows, errors: [...errors].map(([row, message]) => ({ row, message })) };
}
