import type { LabelField } from '../schemas/label-schemas';

/**
 * The human label of each trace for one field, as every insight uses it: an admin's adjudication
 * when there is one, otherwise the reviewers' majority. Only annotations whose schema version defines
 * the field with the same type as the newest version count, so a field whose meaning changed
 * (e.g. numeric → categorical under the same key) never mixes old answers into new analyses.
 */

export type LabelSource = 'adjudicated' | 'majority' | 'single';

export interface EffectiveLabel {
  traceId: string;
  /** A pass_fail string, boolean, number, category string, or an array of categories (multi select). */
  value: unknown;
  source: LabelSource;
  /** How many reviewers answered the field (0 when only adjudicated). */
  reviewers: number;
  /** Each reviewer's value, in the order they were stored. */
  values: unknown[];
  reviewerIds: string[];
  queueIds: string[];
}

export interface LabelScope {
  /** Only this queue's annotations and adjudications. */
  queueId?: string;
  /** A WHERE clause over `traces t` (from compileTraceFilter) the trace must satisfy. */
  traceWhere?: { sql: string; args: unknown[] };
}

export interface FieldLabels {
  /** The field as the newest schema version seen defines it; null when no annotation has the field. */
  field: LabelField | null;
  labels: Map<string, EffectiveLabel>;
  /** Annotations dropped because their schema version does not define the field with the same type. */
  skippedVersions: number;
}

interface Row {
  traceId: string;
  queueId: string;
  reviewerId: string;
  schemaId: string;
  schemaVersion: number;
  /** JSON text of the field's value. */
  v: string;
}

const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** The JSON path of a field key; keys are validated, so the path is safe to inline. */
export function fieldPath(field: string): string {
  if (!FIELD_KEY.test(field)) throw new Error(`not a field key: ${field}`);
  return `$.${field}`;
}

function scopeSql(alias: string, scope: LabelScope): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (scope.queueId !== undefined) (parts.push(`${alias}.queue_id = ?`), args.push(scope.queueId));
  if (scope.traceWhere) {
    parts.push(`EXISTS (SELECT 1 FROM traces t WHERE t.project_id = ${alias}.project_id AND t.trace_id = ${alias}.trace_id AND ${scope.traceWhere.sql})`);
    args.push(...scope.traceWhere.args);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}

/** Per-option majority for multi-select answers: an option is in when more than half chose it. */
function majorityOfSets(values: readonly unknown[]): unknown[] {
  const counts = new Map<string, number>();
  for (const v of values) for (const o of new Set(Array.isArray(v) ? (v as unknown[]).map(String) : [])) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].filter(([, n]) => n * 2 > values.length).map(([o]) => o).sort();
}

/** The plurality value, or undefined on a tie. Values compare by their JSON text. */
export function plurality(values: readonly unknown[]): unknown {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return undefined;
  return JSON.parse(ranked[0][0]);
}

function sameType(a: LabelField, b: LabelField): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'categorical' && b.type === 'categorical') return a.multiple === b.multiple;
  return true;
}

/**
 * Effective labels of `field` for every trace in scope with at least one answer or an adjudication.
 * Ties without an adjudication are left out of `labels` (their reviewers disagree evenly).
 * Cost: one indexed read of the project's annotations and adjudications, values extracted in SQL.
 */
export async function fieldLabels(d1: D1Database, projectId: string, field: string, scope: LabelScope = {}): Promise<FieldLabels> {
  const path = fieldPath(field);
  const a = scopeSql('a', scope);
  const j = scopeSql('j', scope);
  const [annotations, adjudicated, versions] = await d1.batch<Record<string, unknown>>([
    d1
      .prepare(
        `SELECT a.trace_id AS traceId, a.queue_id AS queueId, a.reviewer_id AS reviewerId, a.schema_id AS schemaId,
                a.schema_version AS schemaVersion, a."values" -> '${path}' AS v
         FROM annotations a WHERE a.project_id = ? AND a."values" -> '${path}' IS NOT NULL AND a."values" -> '${path}' <> 'null'${a.sql}`,
      )
      .bind(projectId, ...a.args),
    d1
      .prepare(
        `SELECT j.trace_id AS traceId, j.queue_id AS queueId, j.schema_id AS schemaId, j.schema_version AS schemaVersion,
                j."values" -> '${path}' AS v, j.updated_at AS updatedAt
         FROM adjudications j WHERE j.project_id = ? AND j."values" -> '${path}' IS NOT NULL AND j."values" -> '${path}' <> 'null'${j.sql}
         ORDER BY j.updated_at`,
      )
      .bind(projectId, ...j.args),
    d1
      .prepare(`SELECT schema_id AS schemaId, version, fields, created_at AS createdAt FROM label_schema_versions WHERE project_id = ? ORDER BY created_at, version`)
      .bind(projectId),
  ]);
  const annotationRows = annotations.results as unknown as Row[];
  const adjudicationRows = adjudicated.results as unknown as Row[];

  // The field's definition in every schema version; the reference is the newest version that uses it.
  const defs = new Map<string, LabelField>();
  let reference: LabelField | null = null;
  const used = new Set([...annotationRows, ...adjudicationRows].map((r) => `${r.schemaId}@${r.schemaVersion}`));
  for (const v of versions.results as { schemaId: string; version: number; fields: string }[]) {
    const def = (JSON.parse(v.fields) as LabelField[]).find((f) => f.key === field);
    if (!def) continue;
    defs.set(`${v.schemaId}@${v.version}`, def);
    if (used.has(`${v.schemaId}@${v.version}`)) reference = def;
  }
  const counts = (r: Row): boolean => {
    const def = defs.get(`${r.schemaId}@${r.schemaVersion}`);
    return !!def && !!reference && sameType(def, reference);
  };

  const labels = new Map<string, EffectiveLabel>();
  let skippedVersions = 0;
  for (const r of annotationRows) {
    if (!counts(r)) {
      skippedVersions++;
      continue;
    }
    const l = labels.get(r.traceId) ?? { traceId: r.traceId, value: undefined, source: 'single' as LabelSource, reviewers: 0, values: [], reviewerIds: [], queueIds: [] };
    l.values.push(JSON.parse(r.v));
    l.reviewerIds.push(r.reviewerId);
    if (!l.queueIds.includes(r.queueId)) l.queueIds.push(r.queueId);
    l.reviewers++;
    labels.set(r.traceId, l);
  }
  const multiple = reference?.type === 'categorical' && reference.multiple;
  for (const [traceId, l] of labels) {
    l.value = l.reviewers === 1 ? l.values[0] : multiple ? majorityOfSets(l.values) : plurality(l.values);
    l.source = l.reviewers === 1 ? 'single' : 'majority';
    if (l.value === undefined) labels.delete(traceId);
  }
  // Adjudications win; ordered by time, so the newest one of a trace in several queues is kept.
  for (const r of adjudicationRows) {
    if (!counts(r)) {
      skippedVersions++;
      continue;
    }
    const l = labels.get(r.traceId) ?? { traceId: r.traceId, value: undefined, source: 'adjudicated' as LabelSource, reviewers: 0, values: [], reviewerIds: [], queueIds: [] };
    l.value = JSON.parse(r.v);
    l.source = 'adjudicated';
    if (!l.queueIds.includes(r.queueId)) l.queueIds.push(r.queueId);
    labels.set(r.traceId, l);
  }
  return { field: reference, labels, skippedVersions };
}

/** Whether a label value means failure: `fail` for pass_fail, `true` for boolean, membership for categories. */
export function isPositive(value: unknown, positive: string): boolean {
  if (Array.isArray(value)) return value.map(String).includes(positive);
  return String(value) === positive;
}
