import { getQueueWithFields } from '../data/queues';
import { compileTraceFilter, decodeCursor, encodeCursor } from '../data/trace-query';
import { getDb } from '../db/client';
import { BadRequest, NotFound } from '../lib/errors';
import { iso } from '../lib/time';
import { filterFromParams, type TraceQueryParams } from '../schemas/filters';
import {
  MIN_AGREEMENT_ITEMS,
  type AdjudicationResponse,
  type AgreementQuery,
  type AgreementResponse,
  type DisagreementItem,
  type FieldAgreement,
  type ReviewerRef,
} from '../schemas/insights-agreement';
import type { LabelField, LabelValues } from '../schemas/label-schemas';
import { reviewerAgreement, scaleAgreement, unanimous, type Unit } from './agreement-stats';
import { decodeCanon, fieldSpecs, reportQuery, type AgreementField, type FieldSpec, type ReportRow } from './agreement-sql';
import { resolveLabels, type SchemaVersionFields } from './labels';
import type { Category } from './stats/kappa';

/**
 * `GET /insights/agreement`: how well a queue's reviewers agree, per field, and the items where they
 * disagree (with any adjudication). Statistics come from the weighted rating patterns SQLite counts in
 * one scan (agreement-sql.ts); only the page of disagreements is read review by review.
 */

/** A value as a category: multi-select sets become their JSON text. */
const category = (v: unknown): Category => (Array.isArray(v) ? JSON.stringify(v) : (v as Category));

/** Reviews as [reviewerId, reviewerName, canon per field]. */
type Pattern = { reviews: [string, string, ...(string | number | null)[]][]; adjudicated: (string | number | null)[] | null; weight: number };

/** The weighted units of one field (or of one option, through `as`), merging patterns that differ only elsewhere. */
function unitsOf(patterns: Pattern[], i: number, spec: FieldSpec, as: (v: unknown) => Category = category): Unit[] {
  const merged = new Map<string, Unit>();
  for (const p of patterns) {
    const ratings = p.reviews
      .filter((r) => r[i + 2] != null)
      .map((r) => ({ reviewerId: r[0], value: as(decodeCanon(spec, r[i + 2]!)) }))
      .sort((a, b) => (a.reviewerId < b.reviewerId ? -1 : 1));
    const adj = p.adjudicated?.[i];
    const adjudicated = adj == null ? undefined : as(decodeCanon(spec, adj));
    if (!ratings.length && adjudicated === undefined) continue;
    const key = JSON.stringify([ratings, adjudicated ?? null]);
    const unit = merged.get(key);
    if (unit) unit.weight += p.weight;
    else merged.set(key, { ratings, adjudicated, weight: p.weight });
  }
  return [...merged.values()];
}

function tooFewNote(n: number): string | null {
  if (n === 0) return 'No item has two reviews of this field yet: agreement needs items that two or more reviewers labelled.';
  if (n < MIN_AGREEMENT_ITEMS) return `Only ${n} item${n === 1 ? '' : 's'} with two or more reviews: treat κ and α as rough (see the intervals); ${MIN_AGREEMENT_ITEMS}+ items make them steadier.`;
  return null;
}

function fieldAgreement(spec: FieldSpec, units: Unit[], optionUnits: Unit[][] | null, skipped: number, name: (id: string) => ReviewerRef): FieldAgreement {
  const { field, multiple } = spec;
  const overall = scaleAgreement(units, field.type === 'numeric', name);
  const disagreeing = units.filter((u) => u.ratings.length >= 2 && !unanimous(u));
  const weight = (list: Unit[]) => list.reduce((s, u) => s + u.weight, 0);
  return {
    key: field.key,
    title: field.title,
    type: field.type,
    multiple,
    ...overall,
    // For sets, κ and α over whole sets would rate two lists differing in one option as far apart as any
    // two: the per-option scales say more.
    ...(multiple ? { cohen: null, pairs: [], fleiss: null, alpha: [] } : {}),
    answers: units.reduce((s, u) => s + u.ratings.length * u.weight, 0),
    skippedAnswers: skipped,
    disagreements: weight(disagreeing),
    adjudicated: weight(disagreeing.filter((u) => u.adjudicated !== undefined)),
    reviewers: reviewerAgreement(units, name),
    options: optionUnits && field.type === 'categorical' ? field.options.map((o, k) => ({ value: o.value, ...scaleAgreement(optionUnits[k], false, name) })) : null,
    tooFew: overall.n < MIN_AGREEMENT_ITEMS,
    note: tooFewNote(overall.n),
  };
}

interface ReviewRow {
  traceId: string;
  reviewerId: string;
  reviewerName: string;
  schemaId: string;
  schemaVersion: number;
  values: string;
  notes: string | null;
  createdAt: number;
}

interface AdjudicationRow extends Omit<AdjudicationResponse, 'values' | 'createdAt' | 'updatedAt' | 'queueId'> {
  values: string;
  createdAt: number;
  updatedAt: number;
}

/** Reviews in one order on every item (by name, then id), so a reviewer keeps their column. */
const byReviewer = (a: ReviewRow, b: ReviewRow) => a.reviewerName.localeCompare(b.reviewerName) || (a.reviewerId < b.reviewerId ? -1 : a.reviewerId > b.reviewerId ? 1 : 0);

/** The page's items in full: every review, the adjudication, the label the analyses use per disagreeing field, the previews. */
async function pageItems(d1: D1Database, projectId: string, queueId: string, page: { traceId: string }[], specs: FieldSpec[], versions: SchemaVersionFields[]): Promise<DisagreementItem[]> {
  if (!page.length) return [];
  const ids = JSON.stringify(page.map((p) => p.traceId));
  const [reviews, adjudications, previews] = await d1.batch<Record<string, unknown>>([
    d1
      .prepare(
        `SELECT trace_id AS traceId, reviewer_id AS reviewerId, reviewer_name AS reviewerName, schema_id AS schemaId, schema_version AS schemaVersion,
                "values" AS "values", notes, created_at AS createdAt
         FROM annotations WHERE project_id = ? AND queue_id = ? AND trace_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(projectId, queueId, ids),
    d1
      .prepare(
        `SELECT trace_id AS traceId, schema_id AS schemaId, schema_version AS schemaVersion, "values" AS "values", notes, adjudicated_by AS adjudicatedBy,
                adjudicated_by_name AS adjudicatedByName, created_at AS createdAt, updated_at AS updatedAt
         FROM adjudications WHERE project_id = ? AND queue_id = ? AND trace_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(projectId, queueId, ids),
    d1
      .prepare(`SELECT trace_id AS traceId, input_preview AS inputPreview, output_preview AS outputPreview FROM traces WHERE project_id = ? AND trace_id IN (SELECT value FROM json_each(?))`)
      .bind(projectId, ids),
  ]);
  const rows = (reviews.results as unknown as ReviewRow[]).map((r) => ({ ...r, parsed: JSON.parse(r.values) as LabelValues }));
  const adjudicated = new Map(
    (adjudications.results as unknown as AdjudicationRow[]).map((r): [string, AdjudicationResponse] => [
      r.traceId,
      { ...r, queueId, values: JSON.parse(r.values) as LabelValues, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) },
    ]),
  );
  const shown = new Map((previews.results as { traceId: string; inputPreview: string | null; outputPreview: string | null }[]).map((p) => [p.traceId, p]));
  const labels = new Map(
    specs.map((s) => [
      s.field.key,
      resolveLabels(
        s.field.key,
        versions,
        rows.map((r) => ({ traceId: r.traceId, queueId, reviewerId: r.reviewerId, schemaId: r.schemaId, schemaVersion: r.schemaVersion, value: r.parsed[s.field.key] })),
        [...adjudicated.values()].map((j) => ({ traceId: j.traceId, queueId, schemaId: j.schemaId, schemaVersion: j.schemaVersion, value: j.values[s.field.key] })),
        { reference: s.field },
      ),
    ]),
  );
  return page.map(({ traceId }) => {
    const effective: DisagreementItem['effective'] = {};
    for (const s of specs) {
      const resolved = labels.get(s.field.key)!;
      const l = resolved.labels.get(traceId) ?? resolved.contested.get(traceId);
      if (!l || l.values.length < 2 || l.values.every((v) => category(v) === category(l.values[0]))) continue;
      effective[s.field.key] = { value: l.value ?? null, source: l.value === undefined ? 'tie' : l.source === 'adjudicated' ? 'adjudicated' : 'majority' };
    }
    return {
      traceId,
      inputPreview: shown.get(traceId)?.inputPreview ?? null,
      outputPreview: shown.get(traceId)?.outputPreview ?? null,
      fields: Object.keys(effective),
      reviews: rows
        .filter((r) => r.traceId === traceId)
        .sort(byReviewer)
        .map((r) => ({ reviewerId: r.reviewerId, reviewerName: r.reviewerName, schemaVersion: r.schemaVersion, values: r.parsed, notes: r.notes, submittedAt: iso(r.createdAt) })),
      effective,
      adjudication: adjudicated.get(traceId) ?? null,
    };
  });
}

/** The agreement report of one queue of the project; 404 when the project has no such queue. */
export async function queueAgreement(d1: D1Database, projectId: string, q: AgreementQuery): Promise<AgreementResponse> {
  const found = await getQueueWithFields(getDb(d1), { projectId, queueId: q.queueId });
  if (!found) throw new NotFound('Queue');
  const { queue } = found;
  const fields = found.fields.filter((f): f is AgreementField => f.type !== 'text' && (q.field === undefined || f.key === q.field));
  if (q.field !== undefined && !fields.length) throw new BadRequest(`The queue's schema (version ${queue.schemaVersion}) has no field "${q.field}" to measure agreement on (text fields have none).`);

  const { queueId, field: _f, cursor, limit, adjudicated, ...params } = q;
  const { filter } = filterFromParams({ ...params, limit, sort: 'time', order: 'desc' } as TraceQueryParams);
  const filtered = Object.keys(filter).length > 0;
  const scope = { queueId, traces: filtered ? compileTraceFilter(projectId, filter) : undefined };
  const { results: versionRows } = await d1
    .prepare(`SELECT schema_id AS schemaId, version, fields FROM label_schema_versions WHERE project_id = ? AND schema_id = ? ORDER BY created_at, version`)
    .bind(projectId, queue.schemaId)
    .all<{ schemaId: string; version: number; fields: string }>();
  const versions = versionRows.map((v) => ({ ...v, fields: JSON.parse(v.fields) as LabelField[] }));
  const specs = fieldSpecs(fields, versions);

  const after = cursor === undefined ? null : decodeCursor(cursor);
  const page = { after, limit: limit + 1, adjudicated };
  const rows = (await reportQuery(d1, projectId, scope, specs, page).all<ReportRow>()).results;
  // Past the last page the answer has no total: count once more from the start.
  const total = rows.find((r) => r.kind === 'd')?.c ?? (after ? ((await reportQuery(d1, projectId, scope, specs, { ...page, after: null, limit: 1 }).all<ReportRow>()).results.find((r) => r.kind === 'd')?.c ?? 0) : 0);
  const patterns: Pattern[] = rows.flatMap((r) => (r.kind === 'p' ? [{ reviews: JSON.parse(r.a), adjudicated: r.b === null ? null : JSON.parse(r.b), weight: r.c }] : []));
  const skipped = JSON.parse(rows.find((r) => r.kind === 's')?.a ?? '[]') as number[];
  const names = new Map(patterns.flatMap((p) => p.reviews.map((r) => [r[0], r[1]] as const)));
  const name = (id: string): ReviewerRef => ({ reviewerId: id, reviewerName: names.get(id) || id });
  const listed = rows.flatMap((r) => (r.kind === 'd' ? [{ traceId: r.a, latest: r.b }] : []));
  const more = listed.length > limit;
  const shown = listed.slice(0, limit);
  const last = shown[shown.length - 1];

  return {
    queue: { id: queue.id, name: queue.name, reviewersPerItem: queue.reviewersPerItem, schemaId: queue.schemaId, schemaVersion: queue.schemaVersion },
    filtered,
    items: {
      reviewed: patterns.reduce((s, p) => s + p.weight, 0),
      overlapping: patterns.filter((p) => p.reviews.length >= 2).reduce((s, p) => s + p.weight, 0),
    },
    reviewers: [...names.keys()].map(name).sort((a, b) => a.reviewerName.localeCompare(b.reviewerName)),
    minItems: MIN_AGREEMENT_ITEMS,
    fields: specs.map((spec, i) => {
      const units = unitsOf(patterns, i, spec);
      const options = spec.multiple && spec.field.type === 'categorical' ? spec.field.options.map((o) => unitsOf(patterns, i, spec, (v) => (v as string[]).includes(o.value))) : null;
      return fieldAgreement(spec, units, options, Number(skipped[i] ?? 0), name);
    }),
    disagreements: {
      data: await pageItems(d1, projectId, queueId, shown, specs, versions),
      nextCursor: more && last ? encodeCursor(last.latest, last.traceId) : null,
      total,
    },
  };
}
