import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA, LabelFields, valuesSchema } from '../../../worker/schemas/label-schemas';

const fields = LabelFields.parse([
  { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true },
  { key: 'topic', title: 'Topic', type: 'categorical', options: [{ value: 'billing' }, { value: 'shipping' }] },
  { key: 'modes', title: 'Modes', type: 'categorical', multiple: true, required: true, options: [{ value: 'a' }, { value: 'b' }] },
  { key: 'score', title: 'Score', type: 'numeric', min: 0, max: 1, step: 0.1 },
  { key: 'stars', title: 'Stars', type: 'numeric', min: 1, max: 5, integer: true },
  { key: 'hallucinated', title: 'Hallucinated reference', type: 'boolean' },
  { key: 'note', title: 'Note', type: 'text', maxLength: 10 },
]);

function issues(values: unknown, partial = false): [string, string][] {
  const r = valuesSchema(fields, { partial }).safeParse(values);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe('valuesSchema', () => {
  it('accepts a complete, valid answer and optional fields left out or null', () => {
    expect(issues({ verdict: 'pass', modes: ['a'], score: 0.3, stars: 4, hallucinated: false, note: 'ok' })).toEqual([]);
    expect(issues({ verdict: 'fail', modes: ['a', 'b'], topic: null })).toEqual([]);
  });

  it('names each field at fault, with its title, in words a reviewer understands', () => {
    expect(issues({ verdict: 'maybe', modes: [], topic: 'returns', score: 0.35, stars: 4.5, hallucinated: 'yes', note: 'far too long' })).toEqual([
      ['verdict', '"Verdict" takes "pass" or "fail"'],
      ['topic', '"Topic" takes one of: billing, shipping'],
      ['modes', '"Modes" needs at least one value'],
      ['score', '"Score" moves in steps of 0.1 from 0'],
      ['stars', '"Stars" must be a whole number'],
      ['hallucinated', '"Hallucinated reference" takes true or false'],
      ['note', '"Note" is limited to 10 characters'],
    ]);
  });

  it('says "is required" for missing required fields and refuses unknown keys', () => {
    expect(issues({ extra: 1 })).toEqual([
      ['verdict', '"Verdict" is required'],
      ['modes', '"Modes" is required'],
      ['', 'unknown field: extra'],
    ]);
  });

  it('lets drafts leave required fields out but still checks what is there', () => {
    expect(issues({}, true)).toEqual([]);
    expect(issues({ score: 2 }, true)).toEqual([['score', '"Score" must be at most 1']]);
  });

  it('checks numeric bounds and repeated multi-select values', () => {
    expect(issues({ verdict: 'pass', modes: ['a', 'a'], score: -0.1 })).toEqual([
      ['modes', '"Modes" lists a value twice'],
      ['score', '"Score" must be at least 0'],
    ]);
  });
});

describe('LabelFields', () => {
  it('accepts the starter schema', () => {
    expect(LabelFields.safeParse(DEFAULT_SCHEMA.fields).success).toBe(true);
  });

  it('refuses duplicate keys, empty options and min ≥ max', () => {
    const r = LabelFields.safeParse([
      { key: 'a', title: 'A', type: 'boolean' },
      { key: 'a', title: 'A again', type: 'categorical', options: [] },
      { key: 'n', title: 'N', type: 'numeric', min: 3, max: 3 },
    ]);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['1.options', '2.max', '1.key']));
  });
});
