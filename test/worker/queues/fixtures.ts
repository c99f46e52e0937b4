import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { queueStub } from '../../../worker/queues/service';
import { call, hex, llmSpan, makeProject, otlpJson, postOtlp, shardOf, signIn, type Auth } from '../helpers';

/** Ingests `n` one-span traces (in requests of up to 500 spans) and returns their ids. */
export async function seedTraces(key: string, n: number, opts: { input?: string } = {}): Promise<string[]> {
  const ids = Array.from({ length: n }, () => hex(16));
  for (let i = 0; i < ids.length; i += 500) {
    const spans = ids.slice(i, i + 500).map((t) => llmSpan(t, undefined, { input: opts.input }));
    expect((await postOtlp(otlpJson(spans), key)).status).toBe(200);
  }
  return ids;
}

export interface QueueProject {
  projectId: string;
  /** An admin-scope key: manages queues and can review as a script. */
  admin: Auth;
  key: string;
}

/** A project with an admin key (ingest, read and admin). */
export async function queueProject(): Promise<QueueProject> {
  const { projectId, key } = await makeProject(['admin']);
  return { projectId, key, admin: { key } };
}

/** A queue over fresh traces; returns its id and the trace ids added as items. */
export async function makeQueue(p: QueueProject, settings: Record<string, unknown> = {}, items = 0): Promise<{ queueId: string; traceIds: string[]; queue: any }> {
  const res = await call('POST', '/api/v1/queues', p.admin, { name: 'Review', ...settings });
  expect(res.status, res.text).toBe(201);
  const traceIds = items ? await seedTraces(p.key, items) : [];
  for (let i = 0; i < traceIds.length; i += 1000) {
    const add = await call('POST', `/api/v1/queues/${res.body.id}/items`, p.admin, { traceIds: traceIds.slice(i, i + 1000) });
    expect(add.status, add.text).toBe(200);
  }
  return { queueId: res.body.id, traceIds, queue: res.body };
}

/** `n` signed-in reviewers of the project. */
export async function reviewers(projectId: string, n: number): Promise<(Auth & { userId: string })[]> {
  return Promise.all(Array.from({ length: n }, async () => {
    const r = await signIn(projectId, 'reviewer');
    return { cookie: r.cookie, userId: r.userId };
  }));
}

export const claim = (queueId: string, auth: Auth) => call('POST', `/api/v1/queues/${queueId}/claim`, auth);
export const submit = (queueId: string, itemId: string, auth: Auth, values: unknown = { verdict: 'pass' }, notes?: string) =>
  call('POST', `/api/v1/queues/${queueId}/items/${itemId}/submit`, auth, { values, notes });

export const stubOf = (queueId: string) => queueStub(env, queueId);

/** The D1 annotations of a queue, read from its project's shard. */
export async function d1Annotations(projectId: string, queueId: string): Promise<any[]> {
  const { results } = await (await shardOf(projectId)).prepare(`SELECT * FROM annotations WHERE queue_id = ? ORDER BY created_at, id`).bind(queueId).all();
  return results;
}
