import { projectRedactor } from '../ingest/redaction-cache';
import { redactRecord } from './redact-records';
import { ChangeWriter, type NewRecord } from '../data/dataset-records';
import { liveRecord } from '../data/dataset-reads';
import { getDatasetRow, type DatasetRow } from '../data/datasets';
import { getDb } from '../db/client';
import { NotFound, Unprocessable } from '../lib/errors';
import type { Principal } from '../middleware/auth';
import type { ChangeResponse, EditRecordBody, RecordInput, RecordResponse, RecordSchema } from '../schemas/datasets';
import { toRecordResponse } from './formats';
import { schemaProblems, serializeValues, type RecordValues } from './record-check';
import type { ProjectEnv } from '../data/shards';

/** Dataset changes made by people and API clients: add, edit, remove. Imports and trace adds build on these. */

/** Who made a change: a user id, or `key:<id>` for an API key. */
export const actor = (p: Principal): string => (p.kind === 'user' ? p.userId : `key:${p.keyId}`);

/** The dataset's row; 404 when the project has no such dataset. */
export async function loadDataset(env: Pick<ProjectEnv, 'shard'>, projectId: string, datasetId: string): Promise<DatasetRow> {
  const row = await getDatasetRow(getDb(env.shard), { projectId, datasetId });
  if (!row) throw new NotFound('Dataset');
  return row;
}

/** The dataset's record schema, if it has one. */
export const schemaOf = (row: DatasetRow): RecordSchema | null => (row.recordSchema ? (JSON.parse(row.recordSchema) as RecordSchema) : null);

/** The version to read: the one named, a tag's, or the newest. */
export async function resolveVersion(env: Pick<ProjectEnv, 'shard'>, row: DatasetRow, sel: { version?: number; tag?: string }): Promise<number> {
  if (sel.version !== undefined) {
    if (sel.version > row.version) throw new NotFound(`Version ${sel.version}`);
    return sel.version;
  }
  if (sel.tag !== undefined) {
    const tag = await env.shard.prepare('SELECT version FROM dataset_tags WHERE dataset_id = ? AND project_id = ? AND tag = ?')
      .bind(row.id, row.projectId, sel.tag)
      .first<{ version: number }>();
    if (!tag) throw new NotFound(`Tag “${sel.tag}”`);
    return tag.version;
  }
  return row.version;
}

/** A record ready to stage, or why it cannot be one (record schema, size). */
export function prepareRecord(values: RecordValues, schema: RecordSchema | null, source: NewRecord['source'], recordId: string = crypto.randomUUID()): NewRecord | { problem: string } {
  const problems = schemaProblems(values, schema);
  if (problems.length) return { problem: problems.join('; ') };
  const serialized = serializeValues(values);
  if ('problem' in serialized) return serialized;
  return { recordId, values: serialized, source };
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Adds records as one new version; all or nothing: any invalid record is a 422 naming each problem. */
export async function addRecords(env: Pick<ProjectEnv, 'shard' | 'control'>, s: { projectId: string; datasetId: string; records: RecordInput[]; addedBy: string }): Promise<ChangeResponse> {
  const row = await loadDataset(env, s.projectId, s.datasetId);
  const schema = schemaOf(row);
  const redactor = await projectRedactor(env.control, s.projectId);
  const prepared = s.records.map((r) => prepareRecord(redactRecord(r, redactor), schema, { kind: 'api', ...r.source }));
  const problems = prepared.flatMap((p, index) => ('problem' in p ? [{ index, message: p.problem }] : []));
  if (problems.length) throw new Unprocessable(`${plural(problems.length, 'record')} not valid; nothing was added.`, problems);
  const writer = new ChangeWriter(env.shard, { projectId: s.projectId, datasetId: s.datasetId, addedBy: s.addedBy, dedupe: 'none' });
  await writer.stage(prepared as NewRecord[]);
  const result = await writer.commit({ summary: 'Added records' });
  return { version: result.version, added: result.added.map((a) => a.recordId), removed: [] };
}

/** Replaces a record's values in a new version (the old row stays in the versions that had it). */
export async function editRecord(
  env: Pick<ProjectEnv, 'shard'>,
  s: { projectId: string; datasetId: string; recordId: string; patch: EditRecordBody; editedBy: string },
): Promise<RecordResponse> {
  const row = await loadDataset(env, s.projectId, s.datasetId);
  const live = await liveRecord(env.shard, s);
  if (!live) throw new NotFound('Record');
  const parse = (t: string | null) => (t === null ? null : JSON.parse(t));
  const p = s.patch;
  const values: RecordValues = {
    input: 'input' in p ? p.input : parse(live.input),
    output: 'output' in p ? p.output : parse(live.output),
    expectedOutput: 'expectedOutput' in p ? p.expectedOutput : parse(live.expected_output),
    metadata: 'metadata' in p && p.metadata ? p.metadata : (parse(live.metadata) as Record<string, unknown>),
  };
  const source: NewRecord['source'] = {
    kind: live.source_kind,
    traceId: live.source_trace_id,
    spanId: live.source_span_id,
    queueId: live.source_queue_id,
    annotationId: live.source_annotation_id,
    ruleId: live.source_rule_id,
    ruleVersion: live.source_rule_version,
  };
  const prepared = prepareRecord(values, schemaOf(row), source, s.recordId);
  if ('problem' in prepared) throw new Unprocessable(`The record is not valid: ${prepared.problem}.`);
  const writer = new ChangeWriter(env.shard, { projectId: s.projectId, datasetId: s.datasetId, addedBy: s.editedBy, dedupe: 'none' });
  await writer.stage([prepared]);
  await writer.commit({ remove: [s.recordId], summary: 'Edited a record' });
  const edited = await liveRecord(env.shard, s);
  if (!edited) throw new NotFound('Record');
  return toRecordResponse(edited);
}

/** Removes records in a new version; ids not in the newest version are ignored (and not listed as removed). */
export async function removeRecords(env: Pick<ProjectEnv, 'shard'>, s: { projectId: string; datasetId: string; recordIds: string[]; removedBy: string }): Promise<ChangeResponse> {
  await loadDataset(env, s.projectId, s.datasetId);
  const ids = [...new Set(s.recordIds)];
  const writer = new ChangeWriter(env.shard, { projectId: s.projectId, datasetId: s.datasetId, addedBy: s.removedBy, dedupe: 'none' });
  const result = await writer.commit({ remove: ids, summary: 'Removed records' });
  return { version: result.version, added: [], removed: result.removed };
}
