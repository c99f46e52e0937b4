import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvRecordLine, exportFilename, jsonlLine, openaiLine, type StoredRecord } from '../../../worker/datasets/formats';

const base: StoredRecord = {
  seq: 7,
  record_id: 'r-1',
  added_version: 3,
  removed_version: null,
  input: JSON.stringify('What is the refund window?'),
  output: JSON.stringify('30 days, "no questions"'),
  expected_output: JSON.stringify('30 days from delivery.'),
  metadata: JSON.stringify({ model: 'gpt-4o-mini', system: 'You are a support agent.', scores: { faithfulness: 0.4 } }),
  source_kind: 'trace',
  source_trace_id: 'a'.repeat(32),
  source_span_id: 'b'.repeat(16),
  source_queue_id: null,
  source_annotation_id: null,
  source_rule_id: null,
  source_rule_version: null,
  added_by: 'user-1',
  created_at: Date.UTC(2026, 10, 27, 12, 0, 0),
};

describe('JSONL export line', () => {
  it('is exactly the record with its provenance, empty source fields left out', () => {
    expect(jsonlLine(base)).toBe(
      '{"id":"r-1","input":"What is the refund window?","output":"30 days, \\"no questions\\"","expectedOutput":"30 days from delivery.",' +
        '"metadata":{"model":"gpt-4o-mini","system":"You are a support agent.","scores":{"faithfulness":0.4}},' +
        `"source":{"kind":"trace","traceId":"${'a'.repeat(32)}","spanId":"${'b'.repeat(16)}","addedBy":"user-1"},` +
        '"addedVersion":3,"createdAt":"2026-11-27T12:00:00.000Z"}\n',
    );
    expect(JSON.parse(jsonlLine({ ...base, output: null, expected_output: null }))).toMatchObject({ output: null, expectedOutput: null });
  });

  it('does not change when the row is removed in a later version', () => {
    expect(jsonlLine({ ...base, removed_version: 9 })).toBe(jsonlLine(base));
  });
});

describe('CSV export line', () => {
  it('has a fixed header and quotes what needs quoting', () => {
    expect(CSV_HEADER).toBe('id,input,output,expected_output,metadata,source_kind,source_trace_id,source_span_id,source_queue_id,source_annotation_id,added_by,added_version,created_at\r\n');
    expect(csvRecordLine(base)).toBe(
      'r-1,What is the refund window?,"30 days, ""no questions""",30 days from delivery.,' +
        '"{""model"":""gpt-4o-mini"",""system"":""You are a support agent."",""scores"":{""faithfulness"":0.4}}",' +
        `trace,${'a'.repeat(32)},${'b'.repeat(16)},,,user-1,3,2026-11-27T12:00:00.000Z\r\n`,
    );
  });

  it('writes JSON inputs as JSON and newlines inside quotes', () => {
    const line = csvRecordLine({ ...base, input: JSON.stringify([{ role: 'user', content: 'hi' }]), output: JSON.stringify('a\nb'), metadata: '{}' });
    expect(line.startsWith('r-1,"[{""role"":""user"",""content"":""hi""}]","a\nb",')).toBe(true);
  });
});

describe('OpenAI fine-tuning line', () => {
  it('is system (from metadata.system), user (the input) and assistant (the expected output)', () => {
    expect(openaiLine(base)).toBe(
      '{"messages":[{"role":"system","content":"You are a support agent."},{"role":"user","content":"What is the refund window?"},{"role":"assistant","content":"30 days from delivery."}]}\n',
    );
  });

  it('falls back to the output, keeps a chat input as its messages and skips a record with no answer', () => {
    const chat = JSON.stringify([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }]);
    expect(openaiLine({ ...base, input: chat, expected_output: null, output: JSON.stringify({ answer: 42 }) })).toBe(
      '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{"role":"assistant","content":"{\\"answer\\":42}"}]}\n',
    );
    expect(openaiLine({ ...base, metadata: '{}', input: JSON.stringify({ q: 1 }) })).toBe(
      '{"messages":[{"role":"user","content":"{\\"q\\":1}"},{"role":"assistant","content":"30 days from delivery."}]}\n',
    );
    expect(openaiLine({ ...base, expected_output: null, output: null })).toBeNull();
  });
});

describe('exportFilename', () => {
  it('names the dataset, version and format', () => {
    expect(exportFilename('Support — Golden!', 4, 'jsonl')).toBe('support-golden-v4.jsonl');
    expect(exportFilename('Support', 4, 'openai')).toBe('support-v4.openai.jsonl');
    expect(exportFilename('***', 1, 'csv')).toBe('dataset-v1.csv');
  });
});
