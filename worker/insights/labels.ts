import type { LabelField } from '../schemas/label-schemas';

/**
 * The human label of each trace for one field, as every insight uses it: an admin's adjudication
 * when there is one, otherwise the reviewers' majority. Only answers whose schema version defines
 * the field with the same type as the newest version count, so a field whose meaning changed
 * (e.g. numeric → categorical under the same key) never mixes old answers into new analyses.
 * `resolveLabels` is the pure rule (unit-tested on plain rows); `fieldLabels` reads D1 and applies it.
 * The insights read the same rule materialized in `trace_labels` (materialize-sql.ts, materialized-labels.ts),
 * kept current by every write; a property test holds the two equal, and `fieldLabels` stays as the reference.
 */

export type LabelSource = 'adjudicated' | 'majority' | 'single';

export interface EffectiveLabel {
  traceId: string;
  /**
   * A pass_fail string, boolean, number, category string, or a sorted array of categories (multi select).
   * Undefined only in `contested` (a tie nobody adjudicated).
   */
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
  /**
   * A WHERE clause over `traces t` (from compileTraceFilter) the trace must satisfy. The trace ids it selects
   * are collected once and each row is tested against that list (SQLite adds a Bloom filter): 100k
   * annotations in ~0.23 s. A correlated check per row instead scans a filter's time range once per
   * annotation (142 s at 100k annotations); letting the list drive the read took ~0.37 s.
   */
  traces?: { sql: string; args: unknown[] };
}

export interface FieldLabels {
  /** The field as the newest schema version seen defines it; null when no annotation has the field. */
  field: LabelField | null;
  labels: Map<string, EffectiveLabel>;
  /** Traces whose reviewers tie and that nobody adjudicated: no label, but their answers are here. */
  contested: Map<string, EffectiveLabel>;
  /** Answers (annotations or adjudications) dropped because their schema version does not define the field with the same type. */
  skippedVersions: number;
}

/** One stored answer to the field: a reviewer's annotation or an adjudication. */
export interface AnswerRow {
  traceId: string;
  queueId: string;
  /** The reviewer; ignored for adjudications. */
  reviewerId?: string;
  schemaId: string;
  schemaVersion: number;
  value: unknown;
}

/** A label schema version's fields; `resolveLabels` takes them oldest first. */
export interface SchemaVersionFields {
  schemaId: string;
  version: number;
  fields: LabelField[];
}

const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** The JSON path of a field key; keys are validated, so the path is safe to inline. */
export function fieldPath(field: string): string {
  if (!FIELD_KEY.test(field)) throw new Error(`not a field key: ${field}`);
  return `$.${field}`;
}

/** ` AND …` conditions limiting rows of table `alias` (with project_id and trace_id columns) to the scope. */
export function scopeSql(alias: string, scope: LabelScope): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (scope.queueId !== undefined) (parts.push(`${alias}.queue_id = ?`), args.push(scope.queueId));
  if (scope.traces) {
    // The unary + keeps SQLite from driving the read by the list (one random row fetch per listed trace).
    parts.push(`+${alias}.trace_id IN (SELECT t.trace_id FROM traces t WHERE ${scope.traces.sql})`);
    args.push(...scope.traces.args);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}

/** A multi-select answer as a sorted list of distinct options, so equal sets compare equal. */
export function optionSet(value: unknown): string[] {
  return [...new Set(Array.isArray(value) ? value.map(String) : [])].sort();
}

/**
 * Per-option majority for multi-select answers: an option is in when more than half of the reviewers
 * chose it, so with two reviewers only the options both chose.
 */
export function majorityOfSets(values: readonly unknown[]): string[] {
  const counts = new Map<string, number>();
  for (const v of values) for (const o of optionSet(v)) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].filter(([, n]) => n * 2 > values.length).map(([o]) => o).sort();
}

/** The plurality value, or undefined on a tie. Values compare by their JSON text. */
export function plurality(values: readonly unknown[]): unknown {
  // Most traces' reviewers agree on a plain value: no need to count.
  const first = values[0];
  if (values.length && (first === null || typeof first !== 'object') && values.every((v) => v === first)) return first;
  const counts = new Map<string, number>();
  for (const v of values) counts.set(JSON.stringify(v), (counts.get(JSON.stringify(v)) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (ranked.length === 0 || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return undefined;
  return JSON.parse(ranked[0][0]);
}

/** Whether answers under definition `a` can be compared with answers under `b` (same kind of value). */
export function sameType(a: LabelField, b: LabelField): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'categorical' && b.type === 'categorical') return a.multiple === b.multiple;
  return true;
}

const isMultiple = (f: LabelField | null): boolean => f?.type === 'categorical' && f.multiple;

/**
 * The effective label of `field` per trace from plain rows. The reference definition is the one of the
 * newest version (in `versions` order) that any row answered; rows whose version lacks the field or
 * defines it with another type are skipped. Adjudication rows are applied in the order given, so with
 * several (one trace in several queues) the last one wins. `opts.reference` fixes the definition instead
 * (a queue's current one), so only answers of that type count.
 */
export function resolveLabels(
  field: string,
  versions: readonly SchemaVersionFields[],
  annotations: readonly AnswerRow[],
  adjudications: readonly AnswerRow[] = [],
  opts: { reference?: LabelField } = {},
): FieldLabels {
  // Keyed schema id → version, so the per-row checks below build no strings (100k rows per call).
  const used = new Map<string, Set<number>>();
  for (const rows of [annotations, adjudications]) {
    for (const r of rows) {
      const set = used.get(r.schemaId);
      if (!set) used.set(r.schemaId, new Set([r.schemaVersion]));
      else set.add(r.schemaVersion);
    }
  }
  const defs = new Map<string, Map<number, LabelField>>();
  let reference: LabelField | null = opts.reference ?? null;
  for (const v of versions) {
    const def = v.fields.find((f) => f.key === field);
    if (!def) continue;
    if (!defs.has(v.schemaId)) defs.set(v.schemaId, new Map());
    defs.get(v.schemaId)!.set(v.version, def);
    if (!opts.reference && used.get(v.schemaId)?.has(v.version)) reference = def;
  }
  const comparable = new Map<LabelField, boolean>();
  const counts = (r: AnswerRow): boolean => {
    const def = defs.get(r.schemaId)?.get(r.schemaVersion);
    if (!def || !reference || r.value === null || r.value === undefined) return false;
    let same = comparable.get(def);
    if (same === undefined) comparable.set(def, (same = sameType(def, reference)));
    return same;
  };
  const multiple = isMultiple(reference);
  const blank = (traceId: string, source: LabelSource): EffectiveLabel => ({ traceId, value: undefined, source, reviewers: 0, values: [], reviewerIds: [], queueIds: [] });

  const all = new Map<string, EffectiveLabel>();
  let skippedVersions = 0;
  for (const r of annotations) {
    if (!counts(r)) {
      skippedVersions++;
      continue;
    }
    const l = all.get(r.traceId) ?? blank(r.traceId, 'single');
    l.values.push(multiple ? optionSet(r.value) : r.value);
    l.reviewerIds.push(r.reviewerId ?? '');
    if (!l.queueIds.includes(r.queueId)) l.queueIds.push(r.queueId);
    l.reviewers++;
    all.set(r.traceId, l);
  }
  for (const l of all.values()) {
    l.value = l.reviewers === 1 ? l.values[0] : multiple ? majorityOfSets(l.values) : plurality(l.values);
    l.source = l.reviewers === 1 ? 'single' : 'majority';
  }
  for (const r of adjudications) {
    if (!counts(r)) {
      skippedVersions++;
      continue;
    }
    const l = all.get(r.traceId) ?? blank(r.traceId, 'adjudicated');
    l.value = multiple ? optionSet(r.value) : r.value;
    l.source = 'adjudicated';
    if (!l.queueIds.includes(r.queueId)) l.queueIds.push(r.queueId);
    all.set(r.traceId, l);
  }
  const labels = new Map<string, EffectiveLabel>();
  const contested = new Map<string, EffectiveLabel>();
  for (const [traceId, l] of all) (l.value === undefined ? contested : labels).set(traceId, l);
  return { field: reference, labels, contested, skippedVersions };
}

/** One adjudication row as fieldsLabels reads it: `v0`, `v1`, … the JSON text of each field's value (NULL: absent). */
type SqlRow = {
  traceId: string;
  queueId: string;
  schemaId: string;
  schemaVersion: number;
} & Record<`v${number}`, string | null>;

/**
 * Effective labels of `field` for every trace in scope with at least one answer or an adjudication.
 * Ties without an adjudication are left out of `labels` (their reviewers disagree evenly) and listed in `contested`.
 * Cost: one indexed read of the project's annotations and adjudications, values extracted in SQL.
 */
export async function fieldLabels(d1: D1Database, projectId: string, field: string, scope: LabelScope = {}): Promise<FieldLabels> {
  return (await fieldsLabels(d1, projectId, [field], scope))[0];
}

/**
 * `fieldLabels` of several fields at once (in the order given). Trends and comparisons need the counted
 * field and the verdict: one read of the annotations extracting both values costs about half of two reads.
 * Annotations come as a few large rows (a JSON array of answers per first three hex digits of the trace id):
 * in workerd, handing D1 rows to the Worker costs far more than the query (100k annotation rows: ~25 ms to
 * scan and extract in SQLite, ~300 ms to receive as rows; as 50k per-trace rows, ~120 ms). 4,096 groups keep
 * each row below D1's 2 MB row limit up to tens of millions of annotations in scope.
 */
export async function fieldsLabels(d1: D1Database, projectId: string, fields: readonly string[], scope: LabelScope = {}): Promise<FieldLabels[]> {
  const paths = fields.map(fieldPath);
  const cols = (alias: string, named = false) => paths.map((p, i) => `, ${alias}."values" -> '${p}'${named ? ` AS v${i}` : ''}`).join('');
  const answered = (alias: string) => paths.map((p) => `coalesce(${alias}."values" -> '${p}', 'null') <> 'null'`).join(' OR ');
  const a = scopeSql('a', scope);
  const j = scopeSql('j', scope);
  // Given a queue, read its range of annotations_review (queue, trace, …): the unary + keeps SQLite, which
  // has no statistics, from reading the whole project through annotations_trace instead.
  const byQueue = scope.queueId === undefined ? '' : '+';
  const [annotations, adjudicated, versions] = await d1.batch<Record<string, unknown>>([
    d1
      .prepare(
        // `->` gives JSON, which json_array embeds as JSON: values arrive parsed, absent and null both as null.
        `SELECT json_group_array(json_array(a.trace_id, a.queue_id, a.reviewer_id, a.schema_id, a.schema_version${cols('a')})) AS r
         FROM annotations a WHERE ${byQueue}a.project_id = ? AND (${answered('a')})${a.sql}
         GROUP BY substr(a.trace_id, 1, 3)`,
      )
      .bind(projectId, ...a.args),
    d1
      .prepare(
        `SELECT j.trace_id AS traceId, j.queue_id AS queueId, j.schema_id AS schemaId, j.schema_version AS schemaVersion${cols('j', true)}
         FROM adjudications j WHERE j.project_id = ? AND (${answered('j')})${j.sql}
         ORDER BY j.updated_at, j.queue_id`,
      )
      .bind(projectId, ...j.args),
    d1
      .prepare(`SELECT schema_id AS schemaId, version, fields FROM label_schema_versions WHERE project_id = ? ORDER BY created_at, version, schema_id`)
      .bind(projectId),
  ]);
  const schemaVersions = (versions.results as { schemaId: string; version: number; fields: string }[]).map((v) => ({ ...v, fields: JSON.parse(v.fields) as LabelField[] }));
  // Each group row `r` is a JSON array of [traceId, queueId, reviewerId, schemaId, schemaVersion, value per field].
  const reviews: [string, ...unknown[]][] = [];
  for (const g of annotations.results as unknown as { r: string }[]) for (const r of JSON.parse(g.r) as [string, ...unknown[]][]) reviews.push(r);
  const adjudicationRows = adjudicated.results as unknown as SqlRow[];
  return fields.map((field, i) => {
    const answers: AnswerRow[] = [];
    for (const r of reviews) {
      const value = r[5 + i];
      if (value === null || value === undefined) continue;
      answers.push({ traceId: r[0], queueId: r[1] as string, reviewerId: r[2] as string, schemaId: r[3] as string, schemaVersion: r[4] as number, value });
    }
    const adjudications: AnswerRow[] = [];
    for (const r of adjudicationRows) {
      const text = r[`v${i}`];
      if (text === null || text === undefined || text === 'null') continue;
      adjudications.push({ traceId: r.traceId, queueId: r.queueId, schemaId: r.schemaId, schemaVersion: r.schemaVersion, value: JSON.parse(text) });
    }
    return resolveLabels(field, schemaVersions, answers, adjudications);
  });
}

/** Whether a label value means failure: `fail` for pass_fail, `true` for boolean, membership for categories. */
export function isPositive(value: unknown, positive: string): boolean {
  if (Array.isArray(value)) return value.map(String).includes(positive);
  return String(value) === positive;
}
