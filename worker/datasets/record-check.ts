import { MAX_RECORD_BYTES, type MetadataField, type RecordSchema, type ValueKind } from '../schemas/datasets';

/** A record's values before they are stored. */
export interface RecordValues {
  input: unknown;
  output: unknown;
  expectedOutput: unknown;
  metadata: Record<string, unknown>;
}

/** The values as the JSON text the columns hold, and their size. */
export interface SerializedValues {
  input: string;
  output: string | null;
  expectedOutput: string | null;
  metadata: string;
  sizeBytes: number;
}

const encoder = new TextEncoder();

/** True for a chat: a non-empty array of `{ role: string, content: string }`. */
export function isChat(v: unknown): v is { role: string; content: string; name?: string }[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((m) => !!m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string' && typeof (m as { content?: unknown }).content === 'string')
  );
}

function kindProblem(kind: ValueKind, v: unknown): string | null {
  if (v === null || kind === 'any') return null;
  if (kind === 'text') return typeof v === 'string' ? null : 'must be text';
  if (kind === 'json') return typeof v === 'object' ? null : 'must be a JSON object or array';
  return isChat(v) ? null : 'must be a chat: [{ "role": …, "content": "…" }, …]';
}

function metadataProblem(f: MetadataField, v: unknown): string | null {
  if (v === undefined || v === null) return f.required ? `metadata.${f.key} is required` : null;
  const ok = f.type === 'json' ? typeof v === 'object' : typeof v === f.type;
  return ok ? null : `metadata.${f.key} must be ${f.type === 'json' ? 'a JSON object or array' : `a ${f.type}`}`;
}

/** Why the values do not fit the dataset's record schema (first problems first); empty when they do. */
export function schemaProblems(v: RecordValues, schema: RecordSchema | null): string[] {
  const problems: string[] = [];
  if (v.input === null || v.input === undefined) problems.push('input is required');
  if (!schema) return problems;
  for (const [name, kind, value] of [
    ['input', schema.input, v.input],
    ['output', schema.output, v.output],
    ['expectedOutput', schema.expectedOutput, v.expectedOutput],
  ] as const) {
    const p = kindProblem(kind, value ?? null);
    if (p) problems.push(`${name} ${p}`);
  }
  for (const f of schema.metadata) {
    const p = metadataProblem(f, v.metadata[f.key]);
    if (p) problems.push(p);
  }
  return problems;
}

/** JSON text of each value, or a problem when the record is over the size limit. */
export function serializeValues(v: RecordValues): SerializedValues | { problem: string } {
  const input = JSON.stringify(v.input);
  const output = v.output === null || v.output === undefined ? null : JSON.stringify(v.output);
  const expectedOutput = v.expectedOutput === null || v.expectedOutput === undefined ? null : JSON.stringify(v.expectedOutput);
  const metadata = JSON.stringify(v.metadata ?? {});
  const sizeBytes = utf8Length(input, output, expectedOutput, metadata);
  if (sizeBytes > MAX_RECORD_BYTES) return { problem: `the record is ${sizeBytes} bytes; the limit is ${MAX_RECORD_BYTES}` };
  return { input, output, expectedOutput, metadata, sizeBytes };
}

function utf8Length(...parts: (string | null)[]): number {
  let n = 0;
  for (const p of parts) if (p) n += encoder.encode(p).byteLength;
  return n;
}
