import { describe, expect, it } from 'vitest';
import { compileTraceFilter } from '../../../worker/data/trace-query';
import { fieldLabels, resolveLabels, type AnswerRow, type SchemaVersionFields } from '../../../worker/insights/labels';
import type { LabelField } from '../../../worker/schemas/label-schemas';
import { call, hex, llmSpan, otlpJson, postOtlp, sattr, shardOf, signIn } from '../helpers';
import { makeQueue, queueProject, reviewers, submit } from '../queues/fixtures';

const verdict: LabelField = { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true, description: '' };
const modes: LabelField = {
  key: 'modes',
  title: 'Modes',
  type: 'categorical',
  multiple: true,
  required: false,
  description: '',
  options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
};
const V1: SchemaVersionFields = { schemaId: 's', version: 1, fields: [verdict, modes] };

const answer = (traceId: string, reviewerId: string, value: unknown, version = 1): AnswerRow => ({ traceId, queueId: 'q', reviewerId, schemaId: 's', schemaVersion: version, value });
const adjudication = (traceId: string, value: unknown, version = 1, queueId = 'q'): AnswerRow => ({ traceId, queueId, schemaId: 's', schemaVersion: version, value });

describe('resolveLabels', () => {
  it('takes the plurality of single-valued answers and a lone answer as it is', () => {
    const r = resolveLabels('verdict', [V1], [answer('t1', 'ann', 'fail'), answer('t1', 'bob', 'fail'), answer('t1', 'cat', 'pass'), answer('t2', 'ann', 'pass')]);
    expect(r.labels.get('t1')).toMatchObject({ value: 'fail', source: 'majority', reviewers: 3, values: ['fail', 'fail', 'pass'], reviewerIds: ['ann', 'bob', 'cat'] });
    expect(r.labels.get('t2')).toMatchObject({ value: 'pass', source: 'single', reviewers: 1 });
    expect(r.field).toEqual(verdict);
  });

  it('leaves a tie without a label but lists it as contested with its answers', () => {
    const r = resolveLabels('verdict', [V1], [answer('t1', 'ann', 'fail'), answer('t1', 'bob', 'pass')]);
    expect(r.labels.has('t1')).toBe(false);
    expect(r.contested.get('t1')).toMatchObject({ value: undefined, reviewers: 2, values: ['fail', 'pass'] });
  });

  it('lets an adjudication win over the majority and settle a tie, keeping the reviewers’ answers', () => {
    const r = resolveLabels(
      'verdict',
      [V1],
      [answer('t1', 'ann', 'fail'), answer('t1', 'bob', 'fail'), answer('t1', 'cat', 'pass'), answer('t2', 'ann', 'fail'), answer('t2', 'bob', 'pass')],
      [adjudication('t1', 'pass'), adjudication('t2', 'fail'), adjudication('t3', 'pass')],
    );
    expect(r.labels.get('t1')).toMatchObject({ value: 'pass', source: 'adjudicated', reviewers: 3, values: ['fail', 'fail', 'pass'] });
    expect(r.labels.get('t2')).toMatchObject({ value: 'fail', source: 'adjudicated', reviewers: 2, values: ['fail', 'pass'] });
    // Adjudicated without any review.
    expect(r.labels.get('t3')).toMatchObject({ value: 'pass', source: 'adjudicated', reviewers: 0 });
    expect(r.contested.size).toBe(0);
  });

  it('applies the last of several adjudications of one trace (one per queue, in time order)', () => {
    const r = resolveLabels('verdict', [V1], [answer('t1', 'ann', 'fail')], [adjudication('t1', 'pass', 1, 'q1'), adjudication('t1', 'fail', 1, 'q2')]);
    expect(r.labels.get('t1')).toMatchObject({ value: 'fail', source: 'adjudicated', queueIds: ['q', 'q1', 'q2'] });
  });

  it('takes a multi-select majority option by option: in when more than half chose it', () => {
    const r = resolveLabels('modes', [V1], [
      // Three reviewers: a ×3, b ×2, c ×1 → [a, b]; order within an answer does not matter.
      answer('t1', 'ann', ['b', 'a']),
      answer('t1', 'bob', ['a', 'b', 'c']),
      answer('t1', 'cat', ['a']),
      // Two reviewers: only what both chose; nothing in common → an empty list, which is a label, not a tie.
      answer('t2', 'ann', ['a', 'c']),
      answer('t2', 'bob', ['c']),
      answer('t3', 'ann', ['a']),
      answer('t3', 'bob', ['b']),
      // A lone answer is sorted like any other.
      answer('t4', 'ann', ['c', 'a']),
    ]);
    expect(r.labels.get('t1')?.value).toEqual(['a', 'b']);
    expect(r.labels.get('t1')?.values).toEqual([['a', 'b'], ['a', 'b', 'c'], ['a']]);
    expect(r.labels.get('t2')?.value).toEqual(['c']);
    expect(r.labels.get('t3')?.value).toEqual([]);
    expect(r.labels.get('t4')?.value).toEqual(['a', 'c']);
    expect(r.contested.size).toBe(0);
  });

  it('skips answers of versions whose field has another type than the newest answered version', () => {
    const numeric: LabelField = { key: 'verdict', title: 'Verdict', type: 'numeric', min: 0, max: 10, integer: true, required: true, description: '' };
    const single: LabelField = { ...modes, multiple: false };
    const versions = [V1, { schemaId: 's', version: 2, fields: [numeric, single] }, { schemaId: 's', version: 3, fields: [numeric] }];
    const rows = [answer('t1', 'ann', 'fail', 1), answer('t1', 'bob', 7, 2), answer('t1', 'cat', 7, 3), answer('t2', 'ann', 'pass', 1)];
    const r = resolveLabels('verdict', versions, rows, [adjudication('t2', 'fail', 1)]);
    expect(r.field).toEqual(numeric);
    expect(r.skippedVersions).toBe(3); // two v1 answers and the v1 adjudication
    expect([...r.labels.keys()]).toEqual(['t1']);
    expect(r.labels.get('t1')).toMatchObject({ value: 7, reviewers: 2, reviewerIds: ['bob', 'cat'] });
    // A multi-select field that became single-select: the multi answers are skipped too.
    const m = resolveLabels('modes', versions, [answer('t1', 'ann', ['a'], 1), answer('t1', 'bob', 'a', 2)]);
    expect(m.skippedVersions).toBe(1);
    expect(m.labels.get('t1')).toMatchObject({ value: 'a', source: 'single' });
  });

  it('compares with a fixed reference definition when given one', () => {
    const numeric: LabelField = { key: 'verdict', title: 'Verdict', type: 'numeric', min: 0, max: 10, required: true, integer: false, description: '' };
    // The queue moved to a version where the field is numeric, but nobody answered it yet.
    const r = resolveLabels('verdict', [V1, { schemaId: 's', version: 2, fields: [numeric] }], [answer('t1', 'ann', 'fail')], [], { reference: numeric });
    expect(r.labels.size).toBe(0);
    expect(r.skippedVersions).toBe(1);
  });
});

describe('fieldLabels over D1', () => {
  it('reads reviews and adjudications written through the API, skips a changed field and honours scope', async () => {
    const p = await queueProject();
    const fields = [
      { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true },
      { key: 'score', title: 'Score', type: 'numeric', min: 1, max: 5, integer: true },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Labels', fields });
    expect(schema.status, schema.text).toBe(201);
    const { queueId, traceIds } = await makeQueue(p, { schemaId: schema.body.id, reviewersPerItem: 2 }, 3);
    const [r1, r2] = await reviewers(p.projectId, 2);
    const admin = await signIn(p.projectId, 'admin');
    const [t1, t2, t3] = traceIds;
    for (const [t, a, b] of [[t1, 'fail', 'fail'], [t2, 'fail', 'pass']] as const) {
      expect((await submit(queueId, t, r1, { verdict: a, score: 2 })).status).toBe(200);
      expect((await submit(queueId, t, r2, { verdict: b, score: 4 })).status).toBe(200);
    }
    let labels = await fieldLabels(await shardOf(p.projectId), p.projectId, 'verdict', { queueId });
    expect(labels.labels.get(t1)).toMatchObject({ value: 'fail', source: 'majority' });
    expect(labels.contested.has(t2)).toBe(true);

    const put = await call('PUT', `/api/v1/queues/${queueId}/items/${t2}/adjudication`, { cookie: admin.cookie }, { values: { verdict: 'pass' } });
    expect(put.status, put.text).toBe(200);
    labels = await fieldLabels(await shardOf(p.projectId), p.projectId, 'verdict', { queueId });
    expect(labels.labels.get(t2)).toMatchObject({ value: 'pass', source: 'adjudicated', reviewers: 2 });

    // `score` becomes categorical in v2; once a v2 answer exists, the v1 numeric answers no longer count.
    const v2 = [fields[0], { key: 'score', title: 'Score', type: 'categorical', options: [{ value: 'low' }, { value: 'high' }] }];
    expect((await call('PATCH', `/api/v1/label-schemas/${schema.body.id}`, p.admin, { fields: v2 })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { schemaVersion: 'latest' })).status).toBe(200);
    expect((await submit(queueId, t3, r1, { verdict: 'pass', score: 'high' })).status).toBe(200);
    const score = await fieldLabels(await shardOf(p.projectId), p.projectId, 'score');
    expect(score.field).toMatchObject({ type: 'categorical' });
    expect(score.skippedVersions).toBe(4);
    expect([...score.labels.entries()].map(([t, l]) => [t, l.value])).toEqual([[t3, 'high']]);

    // A trace filter narrows to the traces it matches: one item comes from another service.
    const billing = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(billing, undefined)], [sattr('service.name', 'billing')]), p.key)).status).toBe(200);
    expect((await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [billing] })).status).toBe(200);
    expect((await submit(queueId, billing, r1, { verdict: 'fail' })).status).toBe(200);
    const scoped = await fieldLabels(await shardOf(p.projectId), p.projectId, 'verdict', { traces: compileTraceFilter(p.projectId, { service: 'billing' }) });
    expect([...scoped.labels.keys()]).toEqual([billing]);
    expect((await fieldLabels(await shardOf(p.projectId), p.projectId, 'verdict', { queueId })).labels.size).toBe(4);
  });
});
