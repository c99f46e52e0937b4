import { describe, expect, it } from 'vitest';
import { call } from '../helpers';
import { claim, makeQueue, queueProject, submit } from '../queues/fixtures';

describe('POST /api/v1/datasets/:id/records/from-queue', () => {
  it('adds the reviewed items that failed, with the reviewer notes as expected output and labels as metadata', async () => {
    const p = await queueProject();
    const { queueId, traceIds } = await makeQueue(p, {}, 3);
    const verdicts: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      const got = await claim(queueId, p.admin);
      const itemId = got.body.item.itemId as string;
      verdicts[itemId] = i === 0 ? 'fail' : 'pass';
      const res = await submit(queueId, itemId, p.admin, { verdict: verdicts[itemId] }, i === 0 ? 'Should say refunds take 5 days.' : undefined);
      expect(res.status, res.text).toBe(200);
    }
    const failed = Object.keys(verdicts).find((t) => verdicts[t] === 'fail')!;
    const ds = await call('POST', '/api/v1/datasets', p.admin, { name: 'Golden failures' });

    const res = await call('POST', `/api/v1/datasets/${ds.body.id}/records/from-queue`, p.admin, { queueId, where: { field: 'verdict', equals: 'fail' } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.added.map((a: any) => a.traceId)).toEqual([failed]);
    const records = await call('GET', `/api/v1/datasets/${ds.body.id}/records`, p.admin);
    expect(records.body.data).toHaveLength(1);
    const rec = records.body.data[0];
    expect(rec.expectedOutput).toBe('Should say refunds take 5 days.');
    expect(rec.metadata.annotation).toMatchObject({ verdict: 'fail' });
    expect(rec.source).toMatchObject({ traceId: failed, queueId });
    expect(rec.source.annotationId).toEqual(expect.any(String));

    const passed = await call('POST', `/api/v1/datasets/${ds.body.id}/records/from-queue`, p.admin, { queueId, where: { field: 'verdict', equals: 'pass' } });
    expect(passed.body.added.map((a: any) => a.traceId).sort()).toEqual(traceIds.filter((t) => t !== failed).sort());
    const again = await call('POST', `/api/v1/datasets/${ds.body.id}/records/from-queue`, p.admin, { queueId });
    expect(again.body.added).toEqual([]);
    expect(again.body.skipped.sort()).toEqual([...traceIds].sort());
  });

  it('answers 404 for a queue of another project', async () => {
    const a = await queueProject();
    const b = await queueProject();
    const { queueId } = await makeQueue(b);
    const ds = await call('POST', '/api/v1/datasets', a.admin, { name: 'x' });
    expect((await call('POST', `/api/v1/datasets/${ds.body.id}/records/from-queue`, a.admin, { queueId })).status).toBe(404);
  });
});
