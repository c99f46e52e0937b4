import { describe, expect, it } from 'vitest';
import { call, makeProject, signIn } from '../helpers';

const DEFAULT_REDACTION = {
  detectors: { secrets: true, creditCard: true, email: false, phone: false },
  customPatterns: [],
  dropAttributes: [],
};

describe('GET /api/v1/projects/:projectId (settings)', () => {
  it('shows retention (keep forever) and the default redaction rules of a project that never saved any', async () => {
    const { projectId } = await makeProject();
    const viewer = await signIn(projectId, 'viewer');
    const res = await call('GET', `/api/v1/projects/${projectId}`, { cookie: viewer.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: projectId, role: 'viewer', retentionDays: null, redaction: DEFAULT_REDACTION });
  });
});

describe('PATCH /api/v1/projects/:projectId (settings)', () => {
  it('sets and clears retention', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const path = `/api/v1/projects/${projectId}`;
    const set = await call('PATCH', path, { cookie: admin.cookie }, { retentionDays: 90 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ retentionDays: 90, name: `Project ${projectId}`, redaction: DEFAULT_REDACTION });
    expect((await call('GET', path, { cookie: admin.cookie })).body.retentionDays).toBe(90);
    const cleared = await call('PATCH', path, { cookie: admin.cookie }, { retentionDays: null });
    expect(cleared.body.retentionDays).toBeNull();
  });

  it('merges detector changes into the current rules and replaces the lists it is sent', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const path = `/api/v1/projects/${projectId}`;
    const patterns = [{ name: 'order-id', pattern: 'ORD-\\d{6}' }];
    const first = await call('PATCH', path, { cookie: admin.cookie }, {
      redaction: { detectors: { email: true }, customPatterns: patterns, dropAttributes: ['http.request.header.cookie'] },
    });
    expect(first.status).toBe(200);
    expect(first.body.redaction).toEqual({
      detectors: { secrets: true, creditCard: true, email: true, phone: false },
      customPatterns: [{ name: 'order-id', pattern: 'ORD-\\d{6}', ignoreCase: false }],
      dropAttributes: ['http.request.header.cookie'],
    });
    const second = await call('PATCH', path, { cookie: admin.cookie }, { redaction: { detectors: { secrets: false } } });
    expect(second.body.redaction).toMatchObject({
      detectors: { secrets: false, creditCard: true, email: true, phone: false },
      customPatterns: [{ name: 'order-id' }],
      dropAttributes: ['http.request.header.cookie'],
    });
    const renamed = await call('PATCH', path, { cookie: admin.cookie }, { name: 'Support bot', redaction: { dropAttributes: [] } });
    expect(renamed.body).toMatchObject({ name: 'Support bot', retentionDays: null, redaction: { dropAttributes: [], customPatterns: [{ name: 'order-id' }] } });
    expect((await call('GET', path, { cookie: admin.cookie })).body.redaction).toEqual(renamed.body.redaction);
  });

  it('answers 400 naming the field for an invalid change, and stores nothing of it', async () => {
    const { projectId } = await makeProject();
    const admin = await signIn(projectId, 'admin');
    const path = `/api/v1/projects/${projectId}`;
    const cases: [unknown, string, RegExp][] = [
      [{ retentionDays: 0 }, 'retentionDays', /./],
      [{ retentionDays: 4000 }, 'retentionDays', /./],
      [{ retentionDays: '30' }, 'retentionDays', /./],
      [{ redaction: { customPatterns: [{ name: 'x', pattern: '(unclosed' }] } }, 'redaction.customPatterns.0.pattern', /not valid RE2 syntax/],
      [{ redaction: { customPatterns: [{ name: 'x', pattern: '\\d*' }] } }, 'redaction.customPatterns.0.pattern', /empty string/],
      [{ redaction: { customPatterns: [{ name: 'x', pattern: '(?=a)b' }] } }, 'redaction.customPatterns.0.pattern', /lookaround/],
      [{ redaction: { detectors: { emails: true } } }, 'redaction.detectors', /./],
      [{ redaction: { dropAttributes: ['a*b'] } }, 'redaction.dropAttributes.0', /prefix/],
      [{ retention: 30 }, '', /./],
    ];
    for (const [body, field, message] of cases) {
      const res = await call('PATCH', path, { cookie: admin.cookie }, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details[0].path, JSON.stringify(body)).toBe(field);
      expect(res.body.error.details[0].message).toMatch(message);
    }
    expect((await call('PATCH', path, { cookie: admin.cookie }, {})).body.error.message).toMatch(/at least one setting/);
    const after = await call('GET', path, { cookie: admin.cookie });
    expect(after.body).toMatchObject({ retentionDays: null, redaction: DEFAULT_REDACTION });
  });

  it('is admin-only: reviewers, viewers and read or ingest keys get 403; an admin key may change settings', async () => {
    const { projectId } = await makeProject();
    const path = `/api/v1/projects/${projectId}`;
    for (const role of ['reviewer', 'viewer'] as const) {
      const u = await signIn(projectId, role);
      const res = await call('PATCH', path, { cookie: u.cookie }, { retentionDays: 7 });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(role);
    }
    const readKey = await makeProject(['read', 'ingest']);
    expect((await call('PATCH', `/api/v1/projects/${readKey.projectId}`, { key: readKey.key }, { retentionDays: 7 })).status).toBe(403);
    const adminKey = await makeProject(['admin']);
    const ok = await call('PATCH', `/api/v1/projects/${adminKey.projectId}`, { key: adminKey.key }, { retentionDays: 7 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ retentionDays: 7, role: null });
    expect((await call('GET', path, { cookie: (await signIn(projectId, 'admin')).cookie })).body.retentionDays).toBeNull();
  });
});
