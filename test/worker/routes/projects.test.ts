import { describe, expect, it } from 'vitest';
import { call, makeProject, signIn } from '../helpers';

describe('GET /api/v1/projects', () => {
  it("lists the caller's projects with their role in each, and no others", async () => {
    const a = await makeProject();
    const b = await makeProject();
    await makeProject();
    const u = await signIn(a.projectId, 'viewer');
    await signIn(b.projectId, 'admin');
    const created = await call('POST', '/api/v1/projects', { cookie: u.cookie }, { name: 'Mine' });
    const res = await call('GET', '/api/v1/projects', { cookie: u.cookie });
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: any) => [p.id, p.role])).toEqual([
      [a.projectId, 'viewer'],
      [created.body.id, 'admin'],
    ]);
    expect(res.body.nextCursor).toBeNull();
  });

  it('is for people: an API key gets 403', async () => {
    const { key } = await makeProject(['admin']);
    expect((await call('GET', '/api/v1/projects', { key })).status).toBe(403);
    expect((await call('POST', '/api/v1/projects', { key }, { name: 'x' })).status).toBe(403);
  });
});

describe('POST /api/v1/projects', () => {
  it('creates a project whose creator is its only admin', async () => {
    const { projectId } = await makeProject();
    const u = await signIn(projectId, 'viewer');
    const res = await call('POST', '/api/v1/projects', { cookie: u.cookie }, { name: '  Support bot  ' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Support bot', role: 'admin' });
    expect(Date.parse(res.body.createdAt)).toBeGreaterThan(0);
    const members = await call('GET', `/api/v1/projects/${res.body.id}/members`, { cookie: u.cookie });
    expect(members.body.data).toEqual([expect.objectContaining({ userId: u.userId, email: u.email, role: 'admin' })]);
  });

  it('answers 400 for an empty name', async () => {
    const { projectId } = await makeProject();
    const u = await signIn(projectId, 'viewer');
    const res = await call('POST', '/api/v1/projects', { cookie: u.cookie }, { name: '   ' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('name');
  });
});

describe('GET/PATCH /api/v1/projects/:projectId', () => {
  it('shows the project to any member with their role, and to a read key with role null', async () => {
    const { projectId } = await makeProject();
    const viewer = await signIn(projectId, 'viewer');
    const read = await makeProject(['read']);
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie: viewer.cookie })).body).toMatchObject({
      id: projectId,
      name: `Project ${projectId}`,
      role: 'viewer',
    });
    expect((await call('GET', `/api/v1/projects/${read.projectId}`, { key: read.key })).body).toMatchObject({ id: read.projectId, role: null });
  });

  it('lets an admin rename the project; a reviewer or an ingest key gets 403', async () => {
    const { projectId, key } = await makeProject(['ingest']);
    const admin = await signIn(projectId, 'admin');
    const reviewer = await signIn(projectId, 'reviewer');
    const denied = await call('PATCH', `/api/v1/projects/${projectId}`, { cookie: reviewer.cookie }, { name: 'Nope' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/reviewer/);
    expect((await call('GET', `/api/v1/projects/${projectId}`, { key })).status).toBe(403);
    const ok = await call('PATCH', `/api/v1/projects/${projectId}`, { cookie: admin.cookie }, { name: 'Renamed' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: projectId, name: 'Renamed', role: 'admin' });
    expect((await call('GET', `/api/v1/projects/${projectId}`, { cookie: reviewer.cookie })).body.name).toBe('Renamed');
  });

  it('answers 404 for a project that does not exist, as for one the caller is not in', async () => {
    const { projectId } = await makeProject();
    const u = await signIn(projectId, 'admin');
    const res = await call('GET', '/api/v1/projects/no-such-project', { cookie: u.cookie });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('Project not found.');
  });
});
