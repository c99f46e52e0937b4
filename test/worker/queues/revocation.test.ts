import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, login, makeUser, ORIGIN, type Auth } from '../helpers';
import { makeQueue, queueProject, reviewers } from './fixtures';

interface Live {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  next: (pred: (m: any) => boolean) => Promise<any>;
  send: (m: unknown) => void;
}

/** Opens the live socket as `auth` and records its messages and its close. */
async function connect(queueId: string, auth: Auth): Promise<Live> {
  const headers: Record<string, string> = { upgrade: 'websocket', origin: ORIGIN };
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.key) headers.authorization = `Bearer ${auth.key}`;
  const res = await SELF.fetch(`${ORIGIN}/api/v1/queues/${queueId}/live`, { headers });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const messages: any[] = [];
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(e.data as string));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  const next = async (pred: (m: any) => boolean) => {
    for (let i = 0; i < 300; i++) {
      const hit = messages.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no such message; got ${JSON.stringify(messages.map((m) => m.type))}`);
  };
  await next((m) => m.type === 'hello');
  return { ws, messages, closed, next, send: (m) => ws.send(JSON.stringify(m)) };
}

/** The socket's close, or a failure when it stays open longer than `ms`. */
function closedWithin(live: Live, ms = 3000): Promise<{ code: number; reason: string }> {
  return Promise.race([live.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket still open')), ms))]);
}

async function claimOverSocket(live: Live, requestId = 'c1'): Promise<string> {
  live.send({ type: 'claim', requestId });
  const r = await live.next((m) => m.requestId === requestId);
  expect(r.ok).toBe(true);
  return r.data.item.itemId;
}

describe('GET /api/v1/queues/:queueId/live after access ends', () => {
  it('closes with 4401 on sign-out everywhere, and a frame sent meanwhile changes nothing', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 2);
    const [r] = await reviewers(p.projectId, 1);
    const live = await connect(queueId, r);
    const itemId = await claimOverSocket(live);
    expect((await call('POST', '/api/v1/auth/logout-all', r)).status).toBe(204);
    live.send({ type: 'submit', requestId: 's1', itemId, values: { verdict: 'pass' } });
    expect(await closedWithin(live)).toEqual({ code: 4401, reason: 'signed_out' });
    const progress = await call('GET', `/api/v1/queues/${queueId}/progress`, p.admin);
    expect(progress.body.reviewsSubmitted).toBe(0);
  });

  it('closes with 4401 on sign-out of that session, and keeps the same person\'s other session', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 1);
    const u = await makeUser(p.projectId, 'reviewer');
    const [one, two] = [{ cookie: await login(u.email, u.password) }, { cookie: await login(u.email, u.password) }];
    const a = await connect(queueId, one);
    const b = await connect(queueId, two);
    expect((await call('POST', '/api/v1/auth/logout', one)).status).toBe(204);
    expect(await closedWithin(a)).toEqual({ code: 4401, reason: 'signed_out' });
    expect(await claimOverSocket(b)).toMatch(/^[0-9a-f]{32}$/);
    b.ws.close();
  });

  it('closes the other sessions\' sockets with 4401 on a password change', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 1);
    const u = await makeUser(p.projectId, 'reviewer');
    const [stolen, mine] = [{ cookie: await login(u.email, u.password) }, { cookie: await login(u.email, u.password) }];
    const live = await connect(queueId, stolen);
    const changed = await call('POST', '/api/v1/auth/password', mine, { currentPassword: u.password, newPassword: 'a whole new passphrase' });
    expect(changed.status, changed.text).toBe(204);
    expect(await closedWithin(live)).toEqual({ code: 4401, reason: 'signed_out' });
  });

  it('closes with 4403 when an admin removes the reviewer from the project', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 2);
    const [r] = await reviewers(p.projectId, 1);
    const live = await connect(queueId, r);
    await claimOverSocket(live);
    expect((await call('DELETE', `/api/v1/projects/${p.projectId}/members/${r.userId}`, p.admin)).status).toBe(204);
    expect(await closedWithin(live)).toEqual({ code: 4403, reason: 'access_changed' });
  });

  it('closes with 4403 when the reviewer becomes a viewer', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 1);
    const [r] = await reviewers(p.projectId, 1);
    const live = await connect(queueId, r);
    expect((await call('PATCH', `/api/v1/projects/${p.projectId}/members/${r.userId}`, p.admin, { role: 'viewer' })).status).toBe(200);
    expect(await closedWithin(live)).toEqual({ code: 4403, reason: 'access_changed' });
  });

  it('closes with 4403 when an assigned queue stops listing the reviewer', async () => {
    const p = await queueProject();
    const [r, other] = await reviewers(p.projectId, 2);
    const { queueId } = await makeQueue(p, { accessMode: 'assigned', reviewers: [r.userId, other.userId] }, 1);
    const live = await connect(queueId, r);
    expect((await call('PATCH', `/api/v1/queues/${queueId}`, p.admin, { reviewers: [other.userId] })).status).toBe(200);
    expect(await closedWithin(live)).toEqual({ code: 4403, reason: 'access_changed' });
  });

  it('closes with 4401 when the API key it was opened with is revoked', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 1);
    const created = await call('POST', `/api/v1/projects/${p.projectId}/api-keys`, p.admin, { name: 'script', scopes: ['admin'] });
    expect(created.status, created.text).toBe(201);
    const live = await connect(queueId, { key: created.body.key });
    await claimOverSocket(live);
    expect((await call('DELETE', `/api/v1/projects/${p.projectId}/api-keys/${created.body.id}`, p.admin)).status).toBe(200);
    expect(await closedWithin(live)).toEqual({ code: 4401, reason: 'signed_out' });
  });

  it('refuses the next command even when nobody told the queue (membership deleted directly)', async () => {
    const p = await queueProject();
    const { queueId } = await makeQueue(p, {}, 2);
    const [r] = await reviewers(p.projectId, 1);
    const live = await connect(queueId, r);
    const itemId = await claimOverSocket(live);
    await env.DB.prepare(`DELETE FROM memberships WHERE project_id = ? AND user_id = ?`).bind(p.projectId, r.userId).run();
    live.send({ type: 'submit', requestId: 's1', itemId, values: { verdict: 'pass' } });
    expect(await live.next((m) => m.requestId === 's1')).toMatchObject({ ok: false, error: { code: 'access_changed' } });
    expect(await closedWithin(live)).toEqual({ code: 4403, reason: 'access_changed' });
    const progress = await call('GET', `/api/v1/queues/${queueId}/progress`, p.admin);
    expect(progress.body.reviewsSubmitted).toBe(0);
  });
});
