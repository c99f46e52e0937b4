import { describe, expect, it } from 'vitest';
import { call, makeProject, signIn } from '../helpers';

const FIELDS = [
  { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: true },
  { key: 'tone', title: 'Tone', type: 'categorical', options: [{ value: 'ok' }, { value: 'curt', description: 'short to the point of rude' }] },
];

describe('GET /api/v1/label-schemas', () => {
  it('starts every project with the failure-modes schema, created once however often it is listed', async () => {
    const { key } = await makeProject(['read']);
    const [one, two] = [await call('GET', '/api/v1/label-schemas', { key }), await call('GET', '/api/v1/label-schemas', { key })];
    expect(one.status).toBe(200);
    expect(two.body.data).toHaveLength(1);
    const starter = two.body.data[0];
    expect(starter).toMatchObject({ name: 'Failure modes', version: 1 });
    expect(starter.fields.find((f: any) => f.key === 'failure_modes').options.map((o: any) => o.value)).toEqual([
      'irrelevant', 'hallucinated_reference', 'tone_mismatch', 'overly_verbose', 'incomplete_reasoning',
    ]);
  });
});

describe('POST /api/v1/label-schemas', () => {
  it('creates version 1 for admins and refuses reviewers (403)', async () => {
    const { projectId, key } = await makeProject(['admin']);
    const res = await call('POST', '/api/v1/label-schemas', { key }, { name: 'Support', fields: FIELDS });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Support', version: 1, fields: [{ key: 'verdict', required: true, description: '' }, { key: 'tone', multiple: false }] });
    const reviewer = await signIn(projectId, 'reviewer');
    expect((await call('POST', '/api/v1/label-schemas', { cookie: reviewer.cookie }, { name: 'X', fields: FIELDS })).status).toBe(403);
  });

  it('answers 400 naming the field for a bad definition', async () => {
    const { key } = await makeProject(['admin']);
    const res = await call('POST', '/api/v1/label-schemas', { key }, { name: 'Bad', fields: [{ key: 'Score!', title: 'S', type: 'numeric', min: 0, max: 1 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('fields.0.key');
  });
});

describe('PATCH /api/v1/label-schemas/:schemaId', () => {
  it('makes a new version when the fields change, and keeps every version readable', async () => {
    const { key } = await makeProject(['admin']);
    const created = await call('POST', '/api/v1/label-schemas', { key }, { name: 'Support', fields: FIELDS });
    const id = created.body.id;
    const renamed = await call('PATCH', `/api/v1/label-schemas/${id}`, { key }, { name: 'Support v2', fields: FIELDS });
    expect(renamed.body).toMatchObject({ name: 'Support v2', version: 1 });
    const edited = await call('PATCH', `/api/v1/label-schemas/${id}`, { key }, { fields: [...FIELDS, { key: 'notes_ok', title: 'Notes fine', type: 'boolean' }] });
    expect(edited.body.version).toBe(2);
    const got = await call('GET', `/api/v1/label-schemas/${id}`, { key });
    expect(got.body.versions.map((v: any) => [v.version, v.fields.length])).toEqual([[2, 3], [1, 2]]);
    expect(got.body.versions[0].createdBy).toMatch(/^key:/);
  });

  it('is 404 for an unknown schema', async () => {
    const { key } = await makeProject(['admin']);
    expect((await call('PATCH', '/api/v1/label-schemas/nope', { key }, { name: 'x' })).status).toBe(404);
  });
});
