import type { ExportFormat, RecordResponse, RecordSource } from '../schemas/datasets';
import { csvLine } from './csv';
import { isChat } from './record-check';
import { iso } from '../lib/time';

/** A `dataset_records` row as D1 returns it. The value columns hold JSON text. */
export interface StoredRecord {
  seq: number;
  record_id: string;
  added_version: number;
  removed_version: number | null;
  input: string;
  output: string | null;
  expected_output: string | null;
  metadata: string;
  source_kind: RecordSource['kind'];
  source_trace_id: string | null;
  source_span_id: string | null;
  source_queue_id: string | null;
  source_annotation_id: string | null;
  source_rule_id: string | null;
  source_rule_version: number | null;
  added_by: string | null;
  created_at: number;
}

/** The columns every record read selects, in StoredRecord order. */
export const STORED_RECORD_COLUMNS = [
  'seq', 'record_id', 'added_version', 'removed_version', 'input', 'output', 'expected_output', 'metadata', 'source_kind',
  'source_trace_id', 'source_span_id', 'source_queue_id', 'source_annotation_id', 'source_rule_id', 'source_rule_version',
  'added_by', 'created_at',
] as const;

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function source(r: StoredRecord): RecordSource {
  return {
    kind: r.source_kind,
    traceId: r.source_trace_id,
    spanId: r.source_span_id,
    queueId: r.source_queue_id,
    annotationId: r.source_annotation_id,
    ruleId: r.source_rule_id,
    ruleVersion: r.source_rule_version,
    addedBy: r.added_by,
  };
}

/** The API shape of a record row. */
export function toRecordResponse(r: StoredRecord): RecordResponse {
  return {
    id: r.record_id,
    input: parse(r.input),
    output: parse(r.output),
    expectedOutput: parse(r.expected_output),
    metadata: parse(r.metadata) as Record<string, unknown>,
    source: source(r),
    addedVersion: r.added_version,
    removedVersion: r.removed_version,
    createdAt: iso(r.created_at),
  };
}

/** Provenance without the empty fields, in a fixed key order. */
function sourceJson(r: StoredRecord): string {
  const s = source(r);
  return JSON.stringify(Object.fromEntries(Object.entries(s).filter(([, v]) => v !== null)));
}

/**
 * One JSONL line. The stored JSON texts are spliced in as they are (no parse, no re-encode), which
 * keeps large exports fast; they were written by JSON.stringify, so the line is valid JSON.
 * Nothing in the line changes after the record's version: an export of version N is reproducible.
 */
export function jsonlLine(r: StoredRecord): string {
  return `{"id":${JSON.stringify(r.record_id)},"input":${r.input},"output":${r.output ?? 'null'},"expectedOutput":${r.expected_output ?? 'null'},"metadata":${r.metadata},"source":${sourceJson(r)},"addedVersion":${r.added_version},"createdAt":"${iso(r.created_at)}"}\n`;
}

/** The CSV export's columns; import reads the same names back. */
export const CSV_COLUMNS = [
  'id', 'input', 'output', 'expected_output', 'metadata', 'source_kind', 'source_trace_id', 'source_span_id',
  'source_queue_id', 'source_annotation_id', 'added_by', 'added_version', 'created_at',
] as const;

/** The CSV header line. */
export const CSV_HEADER = csvLine(CSV_COLUMNS);

/** One CSV line: text values as they are, other JSON values (objects, numbers) as JSON. */
export function csvRecordLine(r: StoredRecord): string {
  return csvLine([
    r.record_id, parse(r.input), parse(r.output), parse(r.expected_output), r.metadata, r.source_kind, r.source_trace_id,
    r.source_span_id, r.source_queue_id, r.source_annotation_id, r.added_by, r.added_version, iso(r.created_at),
  ]);
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * One line of OpenAI's chat fine-tuning format: the prompt (a chat input as it is; otherwise an optional
 * system message from `metadata.system` and the input as the user message), then the assistant's
 * answer, the expected output or else the output. Null for a record with neither: it has no answer to learn.
 */
export function openaiLine(r: StoredRecord): string | null {
  const answer = parse(r.expected_output) ?? parse(r.output);
  if (answer === null) return null;
  const input = parse(r.input);
  const messages: { role: string; content: string; name?: string }[] = [];
  if (isChat(input)) {
    for (const m of input) messages.push(m.name ? { role: m.role, content: m.content, name: m.name } : { role: m.role, content: m.content });
  } else {
    const system = (parse(r.metadata) as Record<string, unknown>).system;
    if (typeof system === 'string' && system) messages.push({ role: 'system', content: system });
    messages.push({ role: 'user', content: asText(input) });
  }
  messages.push({ role: 'assistant', content: asText(answer) });
  return `${JSON.stringify({ messages })}\n`;
}

/** The text before the first record (the CSV header), or ''. */
export function exportPreamble(format: ExportFormat): string {
  return format === 'csv' ? CSV_HEADER : '';
}

/** A record in the format, or null when the format has no line for it. */
export function exportLine(format: ExportFormat, r: StoredRecord): string | null {
  return format === 'jsonl' ? jsonlLine(r) : format === 'csv' ? csvRecordLine(r) : openaiLine(r);
}

/** Content-Type of each export format. */
export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  openai: 'application/x-ndjson; charset=utf-8',
};

/** `support-golden-v3.jsonl`, `…-v3.openai.jsonl` */
export function exportFilename(name: string, version: number, format: ExportFormat): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'dataset';
  return `${slug}-v${version}.${format === 'csv' ? 'csv' : format === 'openai' ? 'openai.jsonl' : 'jsonl'}`;
}
