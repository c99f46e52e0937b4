import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deleteAdjudication, putAdjudication } from '../../../worker/data/adjudications';
import { annotationUpserts, type AnnotationCopy } from '../../../worker/data/review-copies';
import { rebuildTraceLabels } from '../../../worker/data/trace-labels';
import { compileTraceFilter } from '../../../worker/data/trace-query';
import { LABELS_VERSION } from '../../../worker/insights/materialize-sql';
import { resolveLabels, type AnswerRow, type FieldLabels, type LabelScope } from '../../../worker/insights/labels';
import { storedLabels, type StoredFieldLabels } from '../../../worker/insights/materialized-labels';
import type { LabelField } from '../../../worker/schemas/label-schemas';
import { checkAsync, runs } from '../property/arbitraries';

/**
 * trace_labels against the reference rule: random histories of reviews (with re-submissions, duplicate
 * and stale outbox deliveries), adjudications put and removed, under schema versions that change a
 * field's type, written through the same functions the queue's outbox and the adjudication routes call.
 * After each history, the materialized labels of every field, in every scope, equal `resolveLabels` over
 * the rows as they stand — ties, multi-select sets, adjudication overrides, skipped versions and all.
 */

const cat = (...values: string[]) => values.map((value) => ({ value }));
const F = {
  verdictPF: { key: 'verdict', title: 'Verdict', type: 'pass_fail', required: false, description: '' },
  verdictBool: { key: 'verdict', title: 'Verdict', type: 'boolean', required: false, description: '' },
  modesMulti: { key: 'modes', title: 'Modes', type: 'categorical', multiple: true, options: cat('a', 'b', 'c'), required: false, description: '' },
  modesMulti4: { key: 'modes', title: 'Modes', type: 'categorical', multiple: true, options: cat('d', 'a', 'b', 'c'), required: false, description: '' },
  modesSingle: { key: 'modes', title: 'Modes', type: 'categorical', multiple: false, options: cat('a', 'b'), required: false, description: '' },
  scoreNum: { key: 'score', title: 'Score', type: 'numeric', min: 1, max: 5, integer: true, required: false, description: '' },
  scoreCat: { key: 'score', title: 'Score', type: 'categorical', multiple: false, options: cat('low', 'high'), required: false, description: '' },
  note: { key: 'note', title: 'Note', type: 'text', maxLength: 100, required: false, description: '' },
} satisfies Record<string, LabelField>;

/** Two schemas; s1's versions change `score` from numeric to categorical and then drop it. */
const VERSIONS: { schemaId: string; version: number; fields: LabelField[] }[] = [
  { schemaId: 's1', version: 1, fields: [F.verdictPF, F.modesMulti, F.scoreNum, F.note] },
  { schemaId: 's1', version: 2, fields: [F.verdictPF, F.modesMulti4, F.scoreCat] },
  { schemaId: 's1', version: 3, fields: [F.verdictPF, F.modesMulti4] },
  { schemaId: 's2', version: 1, fields: [F.verdictBool, F.modesSingle, F.scoreNum] },
  { schemaId: 's2', version: 2, fields: [F.verdictPF, F.modesSingle] },
];
const QUEUES = [
  { id: 'qa', schemaId: 's1' },
  { id: 'qb', schemaId: 's1' },
  { id: 'qc', schemaId: 's2' },
];
const TRACES = ['t1', 't2', 't3', 't4'];
const REVIEWERS = ['r1', 'r2', 'r3', 'r4'];
const FIELDS = ['verdict', 'modes', 'score', 'note'];

/** A valid answer to `f` (or, now and then, an answer of another type, as data written before validation may hold). */
function answerOf(f: LabelField): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'pass_fail':
      return fc.constantFrom('pass', 'fail');
    case 'boolean':
      return fc.boolean();
    case 'numeric':
      return fc.integer({ min: 1, max: 3 });
    case 'text':
      return fc.constantFrom('ok', 'meh');
    case 'categorical': {
      const options = f.options.map((o) => o.value);
      return f.multiple ? fc.shuffledSubarray(options) : fc.constantFrom(...options);
    }
  }
}

/** Values for a version: each field absent, null or answered, and rarely a key the version does not define. */
function valuesOf(version: (typeof VERSIONS)[number], partial: boolean): fc.Arbitrary<Record<string, unknown>> {
  const entries = version.fields.map((f) =>
    fc.oneof({ weight: partial ? 3 : 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: answerOf(f) }).map((v) => [f.key, v] as const),
  );
  const stray = fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(2, 'low') }).map((v) => ['score', v] as const);
  return fc.tuple(fc.tuple(...entries), stray).map(([list, extra]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of list) if (v !== undefined) out[k] = v;
    if (extra[1] !== undefined && !version.fields.some((f) => f.key === 'score')) out.score = extra[1];
    return out;
  });
}

type Op =
  | { kind: 'review'; queue: number; trace: string; reviewer: string; version: number; values: Record<string, unknown>; duplicate: boolean; stale: boolean }
  | { kind: 'adjudicate'; queue: number; trace: string; version: number; values: Record<string, unknown> }
  | { kind: 'unadjudicate'; queue: number; trace: string };

const versionsOf = (queue: number) => VERSIONS.filter((v) => v.schemaId === QUEUES[queue].schemaId);

const op: fc.Arbitrary<Op> = fc.integer({ min: 0, max: QUEUES.length - 1 }).chain((queue) => {
  const versions = versionsOf(queue);
  const version = fc.integer({ min: 0, max: versions.length - 1 });
  const trace = fc.constantFrom(...TRACES);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ trace, reviewer: fc.constantFrom(...REVIEWERS), version, duplicate: fc.boolean(), stale: fc.boolean() }).chain((r) =>
      valuesOf(versions[r.version], false).map((values): Op => ({ kind: 'review', queue, ...r, version: versions[r.version].version, values })),
    ) },
    { weight: 2, arbitrary: fc.record({ trace, version }).chain((r) => valuesOf(versions[r.version], true).map((values): Op => ({ kind: 'adjudicate', queue, ...r, version: versions[r.version].version, values }))) },
    { weight: 1, arbitrary: trace.map((t): Op => ({ kind: 'unadjudicate', queue, trace: t })) },
  );
});

/** Writes a history through the outbox's upserts and the adjudication data functions; returns nothing, the rows are in D1. */
async function write(projectId: string, ops: Op[], clock: { t: number }): Promise<void> {
  const reviews = new Map<string, AnnotationCopy>();
  const sent: AnnotationCopy[] = [];
  for (const o of ops) {
    const queueId = `${projectId}-${QUEUES[o.queue].id}`;
    const schemaId = `${projectId}-${QUEUES[o.queue].schemaId}`;
    const scope = { projectId, queueId };
    if (o.kind === 'review') {
      const key = `${queueId}/${o.trace}/${o.reviewer}`;
      const before = reviews.get(key);
      clock.t += 1000;
      const copy: AnnotationCopy = {
        id: before?.id ?? crypto.randomUUID(),
        traceId: o.trace,
        reviewerId: o.reviewer,
        reviewerName: o.reviewer,
        schemaId,
        schemaVersion: o.version,
        values: JSON.stringify(o.values),
        notes: null,
        revision: (before?.revision ?? 0) + 1,
        createdAt: before?.createdAt ?? clock.t,
        updatedAt: clock.t,
      };
      reviews.set(key, copy);
      // The outbox may send a copy twice in one flush, or a stale copy after a newer one: the revision guard ignores both.
      const stale = o.stale ? sent.filter((s) => s.traceId === o.trace && s.id === copy.id && s.revision < copy.revision).slice(-1) : [];
      const rows = [...(o.duplicate ? [copy, copy] : [copy]), ...stale];
      sent.push(copy);
      await env.DB.batch(annotationUpserts(env.DB, scope, rows));
    } else if (o.kind === 'adjudicate') {
      await putAdjudication(env.DB, { projectId, queueId, traceId: o.trace, schemaId, schemaVersion: o.version, values: o.values as never, notes: null, by: { id: 'admin', name: 'Admin' } });
    } else {
      await deleteAdjudication(env.DB, { projectId, queueId, traceId: o.trace });
    }
  }
}

/** resolveLabels over the project's rows in scope, read the way fieldsLabels reads them (optionally with a fixed reference). */
async function reference(projectId: string, field: string, scope: LabelScope, fixed?: LabelField): Promise<FieldLabels> {
  const queue = scope.queueId === undefined ? '' : ' AND queue_id = ?';
  const traces = scope.traces ? ` AND trace_id IN (SELECT t.trace_id FROM traces t WHERE ${scope.traces.sql})` : '';
  const args = [projectId, ...(scope.queueId === undefined ? [] : [scope.queueId]), ...(scope.traces?.args ?? [])];
  const [annotations, adjudications, versions] = await env.DB.batch<Record<string, unknown>>([
    env.DB.prepare(`SELECT trace_id AS traceId, queue_id AS queueId, reviewer_id AS reviewerId, schema_id AS schemaId, schema_version AS schemaVersion, "values" AS v FROM annotations WHERE project_id = ?${queue}${traces}`).bind(...args),
    env.DB.prepare(`SELECT trace_id AS traceId, queue_id AS queueId, schema_id AS schemaId, schema_version AS schemaVersion, "values" AS v FROM adjudications WHERE project_id = ?${queue}${traces} ORDER BY updated_at, queue_id`).bind(...args),
    env.DB.prepare(`SELECT schema_id AS schemaId, version, fields FROM label_schema_versions WHERE project_id = ? ORDER BY created_at, version, schema_id`).bind(projectId),
  ]);
  const rows = (r: D1Result<Record<string, unknown>>) =>
    (r.results as unknown as (AnswerRow & { v: string })[]).map(({ v, ...row }) => ({ ...row, value: (JSON.parse(v) as Record<string, unknown>)[field] })).filter((a) => a.value !== null && a.value !== undefined);
  const defs = (versions.results as { schemaId: string; version: number; fields: string }[]).map((v) => ({ ...v, fields: JSON.parse(v.fields) as LabelField[] }));
  return resolveLabels(field, defs, rows(annotations), rows(adjudications), fixed ? { reference: fixed } : {});
}

/** What a label set says, comparable with toEqual. */
function summary(l: FieldLabels | StoredFieldLabels) {
  const entries = (m: Map<string, { value: unknown; source: string; reviewers: number }>) =>
    [...m].map(([t, x]) => [t, x.value, x.source, x.reviewers] as const).sort((a, b) => a[0].localeCompare(b[0]));
  return { field: l.field, skippedVersions: l.skippedVersions, labels: entries(l.labels), contested: entries(l.contested) };
}

/** For adjudication-only labels, the queue the stored label names is resolveLabels' first queue. */
function adjudicationQueues(ref: FieldLabels, stored: StoredFieldLabels): void {
  for (const [traceId, l] of ref.labels) if (l.reviewers === 0) expect(stored.labels.get(traceId)?.queueId).toBe(l.queueIds[0]);
}

async function setUp(projectId: string, clock: { t: number }, sameInstant: boolean): Promise<void> {
  await env.DB.batch([
    // Marked built: every row must come from the writes, not from a rebuild on the first read.
    env.DB.prepare('INSERT INTO trace_labels_state (project_id, version, built_at) VALUES (?, ?, 0)').bind(projectId, LABELS_VERSION),
    ...VERSIONS.map((v, i) =>
      env.DB.prepare('INSERT INTO label_schema_versions (schema_id, version, project_id, fields, created_at) VALUES (?, ?, ?, ?, ?)')
        // With sameInstant, s2's versions share created_at with s1's: the order falls to (version, schema id).
        .bind(`${projectId}-${v.schemaId}`, v.version, projectId, JSON.stringify(v.fields), sameInstant ? v.version : clock.t + i),
    ),
    ...TRACES.map((t, i) =>
      env.DB.prepare(`INSERT INTO traces (project_id, trace_id, name, service, status, start_ms, end_ms, duration_ms, span_count) VALUES (?, ?, 'turn', ?, 'ok', ?, ?, 1, 1)`)
        .bind(projectId, t, i % 2 ? 'billing' : 'support', clock.t + i, clock.t + i + 1),
    ),
  ]);
}

const scopesOf = (projectId: string): [string, LabelScope][] => [
  ['every queue', {}],
  ...QUEUES.map((q): [string, LabelScope] => [`queue ${q.id}`, { queueId: `${projectId}-${q.id}` }]),
  ['billing traces', { traces: compileTraceFilter(projectId, { service: 'billing' }) }],
  ['queue qa, support traces', { queueId: `${projectId}-qa`, traces: compileTraceFilter(projectId, { service: 'support' }) }],
];

async function expectSame(projectId: string): Promise<void> {
  for (const [name, scope] of scopesOf(projectId)) {
    for (const field of FIELDS) {
      const [ref, stored] = [await reference(projectId, field, scope), await storedLabels(env.DB, projectId, field, scope)];
      expect(summary(stored), `${field} in ${name}`).toEqual(summary(ref));
      adjudicationQueues(ref, stored);
    }
  }
  // A fixed reference (a queue's current definition): only answers of its kind count.
  for (const fixed of [F.scoreNum, F.scoreCat, F.verdictBool, F.modesSingle]) {
    const scope = {};
    expect(summary(await storedLabels(env.DB, projectId, fixed.key, scope, { reference: fixed })), `${fixed.key} as ${fixed.type}`).toEqual(summary(await reference(projectId, fixed.key, scope, fixed)));
  }
}

/** The project's rows, for comparing a rebuild with the rows the writes left. */
async function rowsOf(projectId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM trace_labels WHERE project_id = ? ORDER BY scope, field, kind, trace_id').bind(projectId).all();
  return results;
}

describe('trace_labels', () => {
  it('equals resolveLabels after any history of reviews, re-submissions, redeliveries and adjudications, in every scope', async () => {
    await checkAsync(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), fc.boolean(), fc.integer({ min: 1, max: 3 }), async (ops, sameInstant, pageSize) => {
        const projectId = `p-${crypto.randomUUID()}`;
        const clock = { t: 1_700_000_000_000 };
        await setUp(projectId, clock, sameInstant);
        await write(projectId, ops, clock);
        await expectSame(projectId);
        // A rebuild, page by page, lands on the very rows the writes maintained, and drops rows no review backs.
        const maintained = await rowsOf(projectId);
        const junk = env.DB.prepare(`INSERT INTO trace_labels (project_id, scope, field, kind, trace_id, answers) VALUES (?, '', ?, '', ?, 1)`);
        await env.DB.batch([junk.bind(projectId, 'verdict', 't0'), junk.bind(projectId, 'stale', TRACES[0]), junk.bind(projectId, 'verdict', 'zz')]);
        expect((await rebuildTraceLabels(env.DB, projectId, { pageSize, pages: 100 })).done).toBe(true);
        expect(await rowsOf(projectId)).toEqual(maintained);
      }),
      { ...runs(0x7ab1e5, 40), endOnFailure: true },
    );
  }, 600_000);
});
