import { describe, expect, it } from 'vitest';
import { call } from '../helpers';
import { makeQueue, queueProject } from '../queues/fixtures';

const condition = { all: [{ evals: [{ name: 'faithfulness', maxScore: 0.5 }] }] };

describe('POST /api/v1/automations with a client-supplied id (issue #18.7)', () => {
  it('answers 409 with the error shape when the id is taken, the same in this project and in another', async () => {
    const [mine, theirs] = [await queueProject(), await queueProject()];
    const { queueId } = await makeQueue(mine);
    const { queueId: theirQueue } = await makeQueue(theirs);
    const id = crypto.randomUUID();
    const first = await call('POST', '/api/v1/automations', theirs.admin, { id, name: 'Theirs', condition, actions: [{ type: 'queue', queueId: theirQueue }] });
    expect(first.status, first.text).toBe(201);
    const elsewhere = await call('POST', '/api/v1/automations', mine.admin, { id, name: 'Mine', condition, actions: [{ type: 'queue', queueId }] });
    const sameProject = await call('POST', '/api/v1/automations', theirs.admin, { id, name: 'Again', condition, actions: [{ type: 'queue', queueId: theirQueue }] });
    for (const res of [elsewhere, sameProject]) {
      expect(res.status, res.text).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'conflict' });
    }
    expect(elsewhere.body.error.message).toBe(sameProject.body.error.message);
    expect((await call('GET', `/api/v1/automations/${id}`, theirs.admin)).body.name).toBe('Theirs');
  });
});
