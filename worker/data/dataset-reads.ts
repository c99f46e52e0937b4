import { BadRequest } from '../lib/errors';
import { STORED_RECORD_COLUMNS, type StoredRecord } from '../datasets/formats';
import { STAGED } from './dataset-records';

/** Reads of dataset records: the dataset as of a version, one page at a time by keyset on `seq`. */

const COLUMNS = STORED_RECORD_COLUMNS.map((c) => `r.${c}`).join(', ');
/** The rows of version ?V: added by then and not yet removed. */
const AT_VERSION = 'r.added_version <= ?V AND (r.removed_version IS NULL OR r.removed_version > ?V)';

export interface RecordScope {
  projectId: string;
  datasetId: string;
}

function decodeSeq(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw new BadRequest('The cursor is not valid; start again without it.');
  return Number(cursor);
}

/**
 * A page of the dataset as of `version` (or only the rows that version added or removed, its diff),
 * optionally narrowed to text found in any value; newest first unless `order` is asc.
 */
export async function listRecords(
  d1: D1Database,
  s: RecordScope & { version: number; change?: 'added' | 'removed'; q?: string; cursor?: string; limit: number; order: 'asc' | 'desc' },
): Promise<{ rows: StoredRecord[]; nextCursor: string | null }> {
  const where = ['r.project_id = ?1', 'r.dataset_id = ?2'];
  const args: unknown[] = [s.projectId, s.datasetId, s.version];
  if (s.change === 'added') where.push('r.added_version = ?3');
  else if (s.change === 'removed') where.push('r.removed_version = ?3');
  else where.push(AT_VERSION.replaceAll('?V', '?3'));
  if (s.q) {
    args.push(s.q.toLowerCase());
    where.push(`instr(lower(r.input || ' ' || coalesce(r.output, '') || ' ' || coalesce(r.expected_output, '') || ' ' || r.metadata), ?${args.length}) > 0`);
  }
  const after = decodeSeq(s.cursor);
  if (after !== undefined) {
    args.push(after);
    where.push(`r.seq ${s.order === 'asc' ? '>' : '<'} ?${args.length}`);
  }
  args.push(s.limit + 1);
  const sql = `SELECT ${COLUMNS} FROM dataset_records r WHERE ${where.join(' AND ')} ORDER BY r.seq ${s.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?${args.length}`;
  const { results } = await d1.prepare(sql).bind(...args).all<StoredRecord>();
  const rows = results.slice(0, s.limit);
  return { rows, nextCursor: results.length > s.limit ? String(rows[rows.length - 1].seq) : null };
}

/**
 * The next page of version `version` after `afterSeq` for an export: at most `maxRows` rows and,
 * beyond the first row, at most `maxBytes` of values. The first step picks the rows from the covering
 * index (position, visibility, size) without reading them; only the chosen rows are read.
 */
export const EXPORT_PAGE_SQL = `WITH c AS (
    SELECT r.seq, r.size_bytes FROM dataset_records r
    WHERE r.project_id = ?1 AND r.dataset_id = ?2 AND r.seq > ?3 AND ${AT_VERSION.replaceAll('?V', '?4')}
    ORDER BY r.seq LIMIT ?5),
  p AS (SELECT seq, sum(size_bytes) OVER (ORDER BY seq) - size_bytes AS before FROM c)
  SELECT ${COLUMNS} FROM p JOIN dataset_records r ON r.seq = p.seq WHERE p.before < ?6 ORDER BY p.seq`;

/** One page of an export (see EXPORT_PAGE_SQL), in record order. */
export async function exportPage(d1: D1Database, s: RecordScope & { version: number; afterSeq: number; maxRows: number; maxBytes: number }): Promise<StoredRecord[]> {
  const { results } = await d1.prepare(EXPORT_PAGE_SQL).bind(s.projectId, s.datasetId, s.afterSeq, s.version, s.maxRows, s.maxBytes).all<StoredRecord>();
  return results;
}

/** The current row of a record, or null when it is not in the newest version. */
export async function liveRecord(d1: D1Database, s: RecordScope & { recordId: string }): Promise<StoredRecord | null> {
  return d1
    .prepare(`SELECT ${COLUMNS} FROM dataset_records r WHERE r.dataset_id = ?2 AND r.project_id = ?1 AND r.record_id = ?3 AND r.removed_version IS NULL AND r.added_version < ${STAGED}`)
    .bind(s.projectId, s.datasetId, s.recordId)
    .first<StoredRecord>();
}

/** Which of `traceIds` a record of the dataset came from: current records, or `ever` (removed ones too). */
export async function tracesInDataset(d1: D1Database, s: RecordScope & { traceIds: string[]; ever: boolean }): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < s.traceIds.length; i += 1000) {
    const { results } = await d1
      .prepare(
        `SELECT DISTINCT r.source_trace_id AS t FROM json_each(?3) j JOIN dataset_records r ON r.dataset_id = ?2 AND r.source_trace_id = j.value
         WHERE r.project_id = ?1 AND r.added_version < ${STAGED} ${s.ever ? '' : 'AND r.removed_version IS NULL'}`,
      )
      .bind(s.projectId, s.datasetId, JSON.stringify(s.traceIds.slice(i, i + 1000)))
      .all<{ t: string }>();
    for (const r of results) found.add(r.t);
  }
  return found;
}

/** Records in a version, as counted when it was made (0 for version 0). */
export async function versionRecordCount(d1: D1Database, s: RecordScope & { version: number }): Promise<number | null> {
  if (s.version === 0) return 0;
  const row = await d1
    .prepare('SELECT record_count FROM dataset_versions WHERE dataset_id = ? AND project_id = ? AND version = ?')
    .bind(s.datasetId, s.projectId, s.version)
    .first<{ record_count: number }>();
  return row?.record_count ?? null;
}
