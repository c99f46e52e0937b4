import { z } from 'zod';
import { TraceFilter } from './filters';

/** Datasets: request bodies and response shapes of `/api/v1/datasets`. Client-safe. */

/** The JSON columns of one record together: D1 refuses a value over 2 MB, and rows travel JSON-encoded once more. */
export const MAX_RECORD_BYTES = 500_000;
export const MAX_RECORDS_PER_REQUEST = 1000;
/** Traces one "add from traces" request may take, whether listed or matched by a filter. */
export const MAX_TRACES_PER_REQUEST = 10_000;
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 50_000;
/** Per-row import errors listed in the answer; the count covers them all. */
export const MAX_IMPORT_ERRORS = 100;

const TraceId = z.string().regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hex characters').transform((s) => s.toLowerCase());
const SpanId = z.string().regex(/^[0-9a-fA-F]{16}$/, 'a span id is 16 hex characters').transform((s) => s.toLowerCase());
export const TagName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a tag is letters, digits, ".", "_" and "-", at most 64 characters, e.g. golden-2026-11');
const Id = z.string().min(1).max(64);

export const DatasetIdParam = z.object({ datasetId: Id });
export const RecordParam = DatasetIdParam.extend({ recordId: Id });
export const TagParam = DatasetIdParam.extend({ tag: TagName });
export const ExportIdParam = DatasetIdParam.extend({ exportId: Id });

/** What a value holds: `text` a string, `json` an object or array, `messages` a chat ([{ role, content }]). */
export const ValueKind = z.enum(['any', 'text', 'json', 'messages']);
export type ValueKind = z.infer<typeof ValueKind>;

export const MetadataField = z.object({
  key: z.string().min(1).max(64),
  type: z.enum(['string', 'number', 'boolean', 'json']),
  required: z.boolean().default(false),
  description: z.string().max(500).default(''),
});
export type MetadataField = z.infer<typeof MetadataField>;

/** Optional description of a dataset's records; checked on every add, edit and import. */
export const RecordSchema = z.object({
  input: ValueKind.default('any'),
  output: ValueKind.default('any'),
  expectedOutput: ValueKind.default('any'),
  metadata: z.array(MetadataField).max(50).default([]),
});
export type RecordSchema = z.infer<typeof RecordSchema>;

const Name = z.string().trim().min(1, 'a dataset needs a name').max(100);
const Description = z.string().max(2000);

export const CreateDatasetBody = z.object({
  name: Name,
  description: Description.default(''),
  recordSchema: RecordSchema.nullable().default(null),
});
export type CreateDatasetBody = z.infer<typeof CreateDatasetBody>;

export const UpdateDatasetBody = z
  .object({ name: Name, description: Description, recordSchema: RecordSchema.nullable() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one setting to change');
export type UpdateDatasetBody = z.infer<typeof UpdateDatasetBody>;

const Json = z.json();

/** `expected_output` (as in CSV and many tools) is read as `expectedOutput`. */
function snakeAliases(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'expected_output' in v && !('expectedOutput' in v)) {
    const { expected_output, ...rest } = v as Record<string, unknown>;
    return { ...rest, expectedOutput: expected_output };
  }
  return v;
}

/** One record as a client sends it (add, import). */
export const RecordInput = z.preprocess(
  snakeAliases,
  z.object({
    input: Json.refine((v) => v !== null, 'a record needs an input'),
    output: Json.nullable().default(null),
    expectedOutput: Json.nullable().default(null),
    metadata: z.record(z.string(), Json).default({}),
    source: z
      .object({ traceId: TraceId.optional(), spanId: SpanId.optional(), queueId: Id.optional(), annotationId: Id.optional() })
      .default({}),
  }),
);
export type RecordInput = z.infer<typeof RecordInput>;

export const AddRecordsBody = z.object({ records: z.array(RecordInput).min(1).max(MAX_RECORDS_PER_REQUEST) });

export const EditRecordBody = z.preprocess(
  snakeAliases,
  z
    .object({
      input: Json.refine((v) => v !== null, 'a record needs an input'),
      output: Json.nullable(),
      expectedOutput: Json.nullable(),
      metadata: z.record(z.string(), Json),
    })
    .partial()
    .refine((b) => Object.keys(b).length > 0, 'send at least one field to change'),
);
export type EditRecordBody = z.infer<typeof EditRecordBody>;

export const RemoveRecordsBody = z.object({ recordIds: z.array(Id).min(1).max(MAX_RECORDS_PER_REQUEST) });

/**
 * Where a record value comes from in a trace. `root_input`/`root_output`: the root span's input or
 * output (its text, else its chat messages); `first_user_message` / `last_assistant_message`: across
 * the trace's LLM calls; `input_messages`: the first LLM call's whole chat input; `span_attribute`:
 * an attribute (dotted paths reach into JSON values) of the span named `span`, else of the root span,
 * else of the first span that has it; `evaluation`: the newest result of an evaluator.
 */
export const ValueSource = z.discriminatedUnion('from', [
  z.object({ from: z.literal('root_input') }),
  z.object({ from: z.literal('root_output') }),
  z.object({ from: z.literal('first_user_message') }),
  z.object({ from: z.literal('last_assistant_message') }),
  z.object({ from: z.literal('input_messages') }),
  z.object({ from: z.literal('span_attribute'), path: z.string().min(1).max(256), span: z.string().min(1).max(256).optional() }),
  z.object({ from: z.literal('evaluation'), name: z.string().min(1).max(128), field: z.enum(['label', 'explanation', 'score']).default('label') }),
  /** A reviewer's answer to one field of the queue's label schema, or their free-form notes (records added from a queue). */
  z.object({ from: z.literal('annotation'), field: z.string().min(1).max(64) }),
  z.object({ from: z.literal('none') }),
]);
export type ValueSource = z.infer<typeof ValueSource>;

/** Trace facts that can go into a record's metadata. `system`: the first LLM call's system instructions. */
export const MetadataInclude = z.enum(['model', 'promptVersion', 'service', 'environment', 'tags', 'scores', 'labels', 'feedback', 'system', 'annotation']);
export type MetadataInclude = z.infer<typeof MetadataInclude>;

export const FieldMapping = z.object({
  input: ValueSource.default({ from: 'root_input' }),
  output: ValueSource.default({ from: 'root_output' }),
  expectedOutput: ValueSource.default({ from: 'none' }),
  metadata: z
    .object({
      include: z.array(MetadataInclude).default(['model', 'promptVersion', 'scores', 'labels']),
      attributes: z
        .array(z.object({ key: z.string().min(1).max(64), path: z.string().min(1).max(256), span: z.string().min(1).max(256).optional() }))
        .max(20)
        .default([]),
    })
    .prefault({}),
});
export type FieldMapping = z.infer<typeof FieldMapping>;
export type FieldMappingInput = z.input<typeof FieldMapping>;

/**
 * Reviewed items of an annotation queue to add: all of them, or those whose answer to `field` equals
 * `equals` (e.g. `{ field: 'verdict', equals: 'pass' }` for "all reviewed items that passed").
 * By default the reviewer's notes become the expected output and their labels go into the metadata.
 */
export const AddFromQueueBody = z.object({
  queueId: Id,
  where: z.object({ field: z.string().min(1).max(64), equals: z.union([z.string(), z.number(), z.boolean()]) }).optional(),
  mapping: FieldMapping.prefault({ expectedOutput: { from: 'annotation', field: 'notes' }, metadata: { include: ['model', 'promptVersion', 'scores', 'annotation'] } }),
  allowDuplicates: z.boolean().default(false),
});
export type AddFromQueueBody = z.infer<typeof AddFromQueueBody>;

/** Traces to add: listed ids, the explorer's query string (`service=x&eval=faithfulness:lt:0.5`), or a filter object. */
export const AddFromTracesBody = z
  .object({
    traceIds: z.array(TraceId).min(1).max(MAX_TRACES_PER_REQUEST).optional(),
    query: z.string().max(4000).optional(),
    filter: TraceFilter.optional(),
    mapping: FieldMapping.prefault({}),
    /** Add a trace again even when a record of the dataset already came from it. */
    allowDuplicates: z.boolean().default(false),
  })
  .refine((b) => [b.traceIds, b.query, b.filter].filter((x) => x !== undefined).length === 1, {
    message: 'send exactly one of traceIds, query or filter',
  });
export type AddFromTracesBody = z.infer<typeof AddFromTracesBody>;

const VersionNumber = z.coerce.number().int().min(1);

export const ListRecordsQuery = z
  .object({
    cursor: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The dataset as of this version (default: the newest). */
    version: VersionNumber.optional(),
    tag: TagName.optional(),
    /** Case-insensitive text in input, output, expected output or metadata. */
    q: z.string().min(1).max(200).optional(),
    /** With `version`: only the records that version added (or removed) — its diff. */
    change: z.enum(['added', 'removed']).optional(),
    /** Newest records first (default) or in record order, as exports have them. */
    order: z.enum(['asc', 'desc']).default('desc'),
  })
  .refine((q) => !(q.version !== undefined && q.tag !== undefined), 'send version or tag, not both');
export type ListRecordsQuery = z.infer<typeof ListRecordsQuery>;

export const ExportFormat = z.enum(['jsonl', 'csv', 'openai']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const ExportQuery = z
  .object({ format: ExportFormat.default('jsonl'), version: VersionNumber.optional(), tag: TagName.optional() })
  .refine((q) => !(q.version !== undefined && q.tag !== undefined), 'send version or tag, not both');
export type ExportQuery = z.infer<typeof ExportQuery>;

export const CreateExportBody = z
  .object({ format: ExportFormat.default('jsonl'), version: z.number().int().min(1).optional(), tag: TagName.optional() })
  .refine((q) => !(q.version !== undefined && q.tag !== undefined), 'send version or tag, not both');

export const ImportQuery = z.object({ format: z.enum(['jsonl', 'csv']).optional() });

export const PutTagBody = z.object({ version: z.number().int().min(1) });

export interface DatasetResponse {
  id: string;
  name: string;
  description: string;
  recordSchema: RecordSchema | null;
  /** The newest version; 0 before the first change. */
  version: number;
  recordCount: number;
  tags: { tag: string; version: number }[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface VersionResponse {
  version: number;
  added: number;
  removed: number;
  edited: number;
  recordCount: number;
  summary: string;
  tags: string[];
  createdBy: string | null;
  createdAt: string;
}

export interface RecordSource {
  kind: 'trace' | 'import' | 'api';
  traceId: string | null;
  spanId: string | null;
  queueId: string | null;
  annotationId: string | null;
  ruleId: string | null;
  ruleVersion: number | null;
  /** User id, `key:<id>` or `rule:<id>`. */
  addedBy: string | null;
}

export interface RecordResponse {
  id: string;
  input: unknown;
  output: unknown;
  expectedOutput: unknown;
  metadata: Record<string, unknown>;
  source: RecordSource;
  addedVersion: number;
  removedVersion: number | null;
  createdAt: string;
}

/** A write's answer; `version` is null when nothing changed (no version was made). */
export interface ChangeResponse {
  version: number | null;
  added: string[];
  removed: string[];
}

export interface AddFromTracesResponse {
  version: number | null;
  added: { recordId: string; traceId: string }[];
  /** Already in the dataset (skipped unless `allowDuplicates`). */
  skipped: string[];
  notFound: string[];
  /** Mapped, but the record was not valid (e.g. against the record schema). */
  rejected: { traceId: string; message: string }[];
}

export interface ImportRowError {
  /** 1-based: the line of a JSONL file, the data row of a CSV file (the header is not counted). */
  row: number;
  message: string;
}

export interface ImportResponse {
  version: number | null;
  imported: number;
  rejected: number;
  errors: ImportRowError[];
}

export interface ExportJobResponse {
  id: string;
  datasetId: string;
  version: number;
  format: ExportFormat;
  status: 'running' | 'done' | 'failed';
  totalRecords: number;
  recordsWritten: number;
  bytesWritten: number;
  /** The largest page the Worker held while writing, in bytes. */
  peakChunkBytes: number;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}
