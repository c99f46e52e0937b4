import { queueAnnotations, type AnnotationExportRow } from '../data/annotations';
import type { LabelField } from '../schemas/label-schemas';

const FIXED_COLUMNS = ['annotation_id', 'queue_id', 'trace_id', 'reviewer_id', 'reviewer_name', 'schema_id', 'schema_version', 'created_at', 'updated_at', 'revision', 'notes'];

/**
 * One CSV field (RFC 4180). Text that a spreadsheet would run as a formula gets a leading quote
 * mark (OWASP's advice against CSV injection): labels and notes are typed by people.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = Array.isArray(v) ? v.join('|') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvLine(cells: unknown[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

function csvRow(r: AnnotationExportRow, keys: string[]): string {
  const fixed = [r.annotationId, r.queueId, r.traceId, r.reviewerId, r.reviewerName, r.schemaId, r.schemaVersion, r.createdAt, r.updatedAt, r.revision, r.notes];
  return csvLine([...fixed, ...keys.map((k) => r.values[k])]);
}

/**
 * The queue's annotations, one row per review, streamed from D1 as JSONL or CSV. CSV has a column
 * per field of the queue's schema version (multi-select values joined by `|`); answers to fields
 * that version no longer has stay in JSONL, which carries every value as given.
 */
export function exportAnnotations(
  d1: D1Database,
  scope: { projectId: string; queueId: string },
  format: 'jsonl' | 'csv',
  fields: LabelField[],
): ReadableStream<Uint8Array> {
  const rows = queueAnnotations(d1, scope);
  const keys = fields.map((f) => f.key);
  const encoder = new TextEncoder();
  let headerSent = format === 'jsonl';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine([...FIXED_COLUMNS, ...keys])));
        return;
      }
      const next = await rows.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(format === 'csv' ? csvRow(next.value, keys) : `${JSON.stringify(next.value)}\n`));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
