import { exportPage } from '../data/dataset-reads';
import type { ExportFormat } from '../schemas/datasets';
import { exportLine, exportPreamble } from './formats';

/** Rows per D1 page and bytes of values per page (beyond its first row): what an export holds at once. */
export const PAGE_ROWS = 1000;
export const PAGE_BYTES = 1024 * 1024;

export interface ExportScope {
  projectId: string;
  datasetId: string;
  version: number;
  format: ExportFormat;
  /** Resume after this record (0: from the start, with the CSV header). */
  afterSeq?: number;
}

export interface ExportChunk {
  bytes: Uint8Array;
  /** Records in the chunk, and records the format has no line for (OpenAI lines need an answer). */
  records: number;
  skipped: number;
  /** The last record in the chunk (keyset position), or the resume point for the header chunk. */
  lastSeq: number;
}

/**
 * The records of one version, encoded, one D1 page per chunk, in record order. The next page is read
 * while the current one is written out, and at most those two pages are held: memory is flat
 * whatever the size of the dataset.
 */
export async function* exportChunks(d1: D1Database, s: ExportScope): AsyncGenerator<ExportChunk> {
  const encoder = new TextEncoder();
  let after = s.afterSeq ?? 0;
  const preamble = after === 0 ? exportPreamble(s.format) : '';
  if (preamble) yield { bytes: encoder.encode(preamble), records: 0, skipped: 0, lastSeq: 0 };
  const read = (afterSeq: number) => exportPage(d1, { ...s, afterSeq, maxRows: PAGE_ROWS, maxBytes: PAGE_BYTES });
  let next = read(after);
  for (;;) {
    const rows = await next;
    if (!rows.length) return;
    after = rows[rows.length - 1].seq;
    next = read(after);
    // A consumer that stops early leaves the prefetch unread: its failure must not surface.
    next.catch(() => undefined);
    let text = '';
    let skipped = 0;
    for (const r of rows) {
      const line = exportLine(s.format, r);
      if (line === null) skipped++;
      else text += line;
    }
    yield { bytes: encoder.encode(text), records: rows.length - skipped, skipped, lastSeq: after };
  }
}

/** The export as a byte stream for a Response: pulled page by page as the client reads. */
export function exportStream(d1: D1Database, s: ExportScope): ReadableStream<Uint8Array> {
  const chunks = exportChunks(d1, s);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value.bytes);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
