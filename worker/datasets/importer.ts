import { ChangeWriter, type NewRecord } from '../data/dataset-records';
import { Unprocessable } from '../lib/errors';
import { MAX_IMPORT_ERRORS, MAX_IMPORT_ROWS, type ImportResponse, type ImportRowError } from '../schemas/datasets';
import { projectRedactor } from '../ingest/redaction-cache';
import { parseCsvImport, parseJsonl } from './import';
import { redactRecord } from './redact-records';
import { loadDataset, prepareRecord, schemaOf } from './service';
import type { ProjectEnv } from '../data/shards';

const STEP = 500;

/**
 * Imports a JSONL or CSV file as one new version: every valid row is added, every other row is
 * reported with its number and why (not JSON, no input, not matching the record schema, too large).
 */
export async function importRecords(
  env: Pick<ProjectEnv, 'shard' | 'control'>,
  s: { projectId: string; datasetId: string; text: string; format: 'jsonl' | 'csv'; addedBy: string },
): Promise<ImportResponse> {
  const row = await loadDataset(env, s.projectId, s.datasetId);
  const parsed = s.format === 'csv' ? parseCsvImport(s.text) : parseJsonl(s.text);
  if ('fatal' in parsed) throw new Unprocessable(`The file cannot be imported: ${parsed.fatal}.`);
  if (parsed.rows.length + parsed.errors.length > MAX_IMPORT_ROWS) {
    throw new Unprocessable(`The file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows; split it.`, { limit: MAX_IMPORT_ROWS });
  }
  const schema = schemaOf(row);
  const redactor = await projectRedactor(env.control, s.projectId);
  const errors: ImportRowError[] = [...parsed.errors];
  const writer = new ChangeWriter(env.shard, { projectId: s.projectId, datasetId: s.datasetId, addedBy: s.addedBy, dedupe: 'none' });
  let staged = 0;
  try {
    for (let i = 0; i < parsed.rows.length; i += STEP) {
      const records: NewRecord[] = [];
      for (const { row: n, record } of parsed.rows.slice(i, i + STEP)) {
        const rec = prepareRecord(redactRecord(record, redactor), schema, { kind: 'import', ...record.source });
        if ('problem' in rec) errors.push({ row: n, message: rec.problem });
        else records.push(rec);
      }
      await writer.stage(records);
      staged += records.length;
    }
    const result = staged ? await writer.commit({ summary: `Imported a ${s.format.toUpperCase()} file` }) : { version: null, added: [] };
    errors.sort((a, b) => a.row - b.row);
    return { version: result.version, imported: result.added.length, rejected: errors.length, errors: errors.slice(0, MAX_IMPORT_ERRORS) };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
