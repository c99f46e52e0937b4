import { describe, expect, it } from 'vitest';
import { compileTraceFilter } from '../../../worker/data/trace-query';
import { fieldLabels, fieldsLabels, plurality } from '../../../worker/insights/labels';
import { call, hex, llmSpan, otlpJson, postOtlp, sattr, shardOf } from '../helpers';
import { makeQueue, queueProject, reviewers, submit } from '../queues/fixtures';

/** What a label set says, in a form toEqual compares (Maps of traces to value and source). */
const summary = (l: Awaited<ReturnType<typeof fieldLabels>>) => ({
  field: l.field,
  labels: Object.fromEntries([...l.labels].map(([t, x]) => [t, [x.value, x.source, x.reviewers]])),
  contested: [...l.contested.keys()].sort(),
  skippedVersions: l.skippedVersions,
});

describe('plurality', () => {
  it('returns the agreed value, the most common one, or undefined on a tie', () => {
    expect(plurality(['fail', 'fail', 'fail'])).toBe('fail');
    expect(plurality([3, 3])).toBe(3);
    expect(plurality([false, false])).toBe(false);
    expect(plurality(['fail', 'pass', 'fail'])).toBe('fail');
    expect(plurality(['fail', 'pass'])).toBeUndefined();
    // 1 and true are different answers even though both mean "yes" somewhere.
    expect(plurality([1, true])).toBeUndefined();
    expect(plurality([])).toBeUndefined();
  });
});

describe('fieldsLabels', () => {
  it('reads several fields in one pass with the same labels as one field at a time, and scopes by list as by key', async () => {
    const p = await queueProject();
    const fields = [
      { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true },
      { key: 'modes', title: 'Modes', type: 'categorical', multiple: true, options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] },
    ];
    const schema = await call('POST', '/api/v1/label-schemas', p.admin, { name: 'Labels', fields });
    expect(schema.status, schema.text).toBe(201);
    const { queueId, traceIds } = await makeQueue(p, { schemaId: schema.body.id, reviewersPerItem: 3 }, 3);
    const [r1, r2, r3] = await reviewers(p.projectId, 3);
    const [t1, t2, t3] = traceIds;
    const answers: [string, Record<string, unknown>[]][] = [
      [t1, [{ verdict: 'fail', modes: ['a', 'b'] }, { verdict: 'fail', modes: ['b'] }, { verdict: 'pass' }]],
      [t2, [{ verdict: 'pass' }, { verdict: 'pass' }, { verdict: 'pass' }]],
      [t3, [{ verdict: 'fail', modes: ['c'] }, { verdict: 'pass' }]],
    ];
    for (const [t, values] of answers) {
      for (const [k, v] of values.entries()) expect((await submit(queueId, t, [r1, r2, r3][k], v)).status).toBe(200);
    }
    // A trace from another service, so a trace filter has something to leave out.
    const billing = hex(16);
    expect((await postOtlp(otlpJson([llmSpan(billing, undefined)], [sattr('service.name', 'billing')]), p.key)).status).toBe(200);
    expect((await call('POST', `/api/v1/queues/${queueId}/items`, p.admin, { traceIds: [billing] })).status).toBe(200);
    expect((await submit(queueId, billing, r1, { verdict: 'fail', modes: ['a'] })).status).toBe(200);

    const [verdict, modes] = await fieldsLabels(await shardOf(p.projectId), p.projectId, ['verdict', 'modes']);
    expect(summary(verdict)).toEqual(summary(await fieldLabels(await shardOf(p.projectId), p.projectId, 'verdict')));
    expect(summary(modes)).toEqual(summary(await fieldLabels(await shardOf(p.projectId), p.projectId, 'modes')));
    expect(summary(verdict).labels).toEqual({
      [t1]: ['fail', 'majority', 3],
      [t2]: ['pass', 'majority', 3],
      [billing]: ['fail', 'single', 1],
    });
    expect(summary(verdict).contested).toEqual([t3]);
    // Per-option majority over the reviewers who answered the field: b (2 of 2) is in, a (1 of 2) is out.
    expect(summary(modes).labels).toEqual({ [t1]: [['b'], 'majority', 2], [t3]: [['c'], 'single', 1], [billing]: [['a'], 'single', 1] });

    const onlyBilling = compileTraceFilter(p.projectId, { service: 'billing' });
    // A filter keeping every trace changes nothing; one keeping billing keeps only its labels.
    const inQueue = await fieldsLabels(await shardOf(p.projectId), p.projectId, ['verdict', 'modes'], { queueId });
    const everyTrace = await fieldsLabels(await shardOf(p.projectId), p.projectId, ['verdict', 'modes'], { queueId, traces: compileTraceFilter(p.projectId, {}) });
    expect(everyTrace.map(summary)).toEqual(inQueue.map(summary));
    const billingInQueue = await fieldsLabels(await shardOf(p.projectId), p.projectId, ['verdict', 'modes'], { queueId, traces: onlyBilling });
    expect(billingInQueue.map((f) => [...f.labels.keys()])).toEqual([[billing], [billing]]);
    const billingOnly = await fieldsLabels(await shardOf(p.projectId), p.projectId, ['verdict'], { traces: onlyBilling });
    expect([...billingOnly[0].labels.keys()]).toEqual([billing]);
  });
});
