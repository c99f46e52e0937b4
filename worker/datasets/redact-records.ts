import type { Redactor } from '../ingest/redact';
import type { RecordInput } from '../schemas/datasets';

/** A record's values through the project's redaction rules, as spans are at ingest: imports and API writes store no raw PII. */
export function redactRecord(r: RecordInput, redactor: Redactor): RecordInput {
  if (redactor.noop) return r;
  return {
    ...r,
    input: redactor.json(r.input).value,
    output: redactor.json(r.output).value,
    expectedOutput: redactor.json(r.expectedOutput).value,
    metadata: redactor.json(r.metadata).value,
  };
}
