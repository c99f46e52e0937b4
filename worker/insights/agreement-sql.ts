import type { LabelField } from '../schemas/label-schemas';
import { fieldPath, sameType, scopeSql, type LabelScope, type SchemaVersionFields } from './labels';

/**
 * The SQL behind the agreement report. SQLite does the heavy part: it groups a queue's annotations
 * per item and then counts the items with identical ratings, so however many reviews a queue has,
 * the Worker reads a few dozen "patterns" plus one page of disagreements.
 *
 * Each answer is reduced in SQL to a canonical value: the value itself for single values, and for
 * multi-select answers a bitmask over the field's options ("low:high", 62 options per half), so
 * ["a","b"] and ["b","a"] are the same answer without relying on any ordering in SQL.
 */

export type AgreementField = Exclude<LabelField, { type: 'text' }>;

export interface FieldSpec {
  /** The queue's current definition. */
  field: AgreementField;
  /** Versions of the queue's schema that define the field with the same type; answers under others are skipped. */
  versions: number[];
  multiple: boolean;
  /** Multi-select: every option any of those versions offers, in bitmask order. */
  options: string[];
}

const BITS = 62;

export function fieldSpecs(fields: AgreementField[], versions: readonly SchemaVersionFields[]): FieldSpec[] {
  return fields.map((field) => {
    const defs = versions.flatMap((v) => v.fields.filter((f) => f.key === field.key && sameType(f, field)).map((f) => ({ version: v.version, f })));
    const options = [...new Set(defs.flatMap(({ f }) => (f.type === 'categorical' ? f.options.map((o) => o.value) : [])))];
    return { field, versions: defs.map((d) => d.version), multiple: field.type === 'categorical' && field.multiple, options };
  });
}

/** The canonical answer of `alias` (annotations or adjudications) to the field, NULL when absent or skipped. */
export function canonSql(alias: string, spec: FieldSpec): { sql: string; args: unknown[] } {
  if (!spec.versions.length) return { sql: 'NULL', args: [] };
  const path = fieldPath(spec.field.key);
  const inVersion = `${alias}.schema_version IN (${spec.versions.map((v) => Math.trunc(v)).join(', ')})`;
  // `->>` gives SQL values (text, numbers; booleans as 1/0; JSON null as NULL), which compare and embed as they are.
  if (!spec.multiple) return { sql: `(CASE WHEN ${inVersion} THEN ${alias}."values" ->> '${path}' END)`, args: [] };
  return {
    sql: `(CASE WHEN ${inVersion} AND json_type(${alias}."values", '${path}') = 'array' THEN (
      SELECT coalesce(sum(CASE WHEN o.key < ${BITS} THEN 1 << o.key ELSE 0 END), 0) || ':' || coalesce(sum(CASE WHEN o.key >= ${BITS} THEN 1 << (o.key - ${BITS}) ELSE 0 END), 0)
      FROM json_each(${alias}."values", '${path}') e JOIN json_each(?) o ON o.value = e.value) END)`,
    args: [JSON.stringify(spec.options)],
  };
}

/** The value behind a canonical answer: booleans from 1/0, for multi-select the options of the bitmask (in option order). */
export function decodeCanon(spec: FieldSpec, canon: string | number): unknown {
  if (spec.field.type === 'boolean') return canon === 1;
  if (!spec.multiple) return canon;
  const [low, high] = String(canon).split(':').map((h) => BigInt(h));
  return spec.options.filter((_, i) => ((i < BITS ? low >> BigInt(i) : high >> BigInt(i - BITS)) & 1n) === 1n);
}

const join = (parts: { sql: string; args: unknown[] }[], sep: string) => ({ sql: parts.map((p) => p.sql).join(sep), args: parts.flatMap((p) => p.args) });

/** One row of the report query; what the columns hold depends on `kind`. */
export type ReportRow =
  /** Items with identical reviews: `a` the JSON array of [reviewerId, reviewerName, canon per field] per review, `b` the adjudication's canon per field (null: none), `c` how many items. */
  | { kind: 'p'; a: string; b: string | null; c: number }
  /** Answers skipped per field (their version defines the field with another type): `a` a JSON array of counts. */
  | { kind: 's'; a: string; b: null; c: null }
  /** One item of the disagreements page: `a` the trace id, `b` its newest review time, `c` the total. */
  | { kind: 'd'; a: string; b: number; c: number };

/**
 * The whole report in one scan of the queue's annotations: SQLite groups them per item once, then
 * counts the rating patterns, sums the skipped answers and picks one page of the items whose
 * reviewers disagree on any field (newest review first; `adjudicated` keeps items with or without
 * an adjudication). Past the last page there is no `d` row, and so no total.
 * The unary + on project_id steers SQLite (which has no statistics) to the queue's range of
 * annotations_review (queue, trace, reviewer), already grouped by trace, rather than reading every
 * annotation of the project through annotations_trace and dropping other queues' (~190 → ~100 ms at 50k).
 */
export function reportQuery(
  d1: D1Database,
  projectId: string,
  scope: LabelScope & { queueId: string },
  specs: FieldSpec[],
  page: { after: [number, string] | null; limit: number; adjudicated?: boolean },
): D1PreparedStatement {
  const where = scopeSql('a', scope);
  const reviews = join(specs.map((s) => canonSql('a', s)), ', ');
  const adjudicated = join(specs.map((s) => canonSql('j', s)), ', ');
  const disagree = join(specs.map((s) => canonSql('a', s)).map((c) => ({ sql: `count(DISTINCT ${c.sql}) > 1`, args: c.args })), ' OR ');
  const skipped = specs.map((s) => {
    const allowed = s.versions.length ? `a.schema_version NOT IN (${s.versions.map((v) => Math.trunc(v)).join(', ')})` : '1';
    return `coalesce(sum(CASE WHEN ${allowed} AND a."values" ->> '${fieldPath(s.field.key)}' IS NOT NULL THEN 1 ELSE 0 END), 0)`;
  });
  const state = page.adjudicated === undefined ? '' : ` AND j IS ${page.adjudicated ? 'NOT ' : ''}NULL`;
  const after = page.after ? ' AND (latest, traceId) < (?, ?)' : '';
  return d1
    .prepare(
      `WITH t AS MATERIALIZED (
         SELECT a.trace_id AS traceId, max(a.created_at) AS latest,
                json_group_array(json_array(a.reviewer_id, a.reviewer_name${specs.length ? `, ${reviews.sql}` : ''})) AS r,
                (SELECT json_array(${adjudicated.sql}) FROM adjudications j WHERE j.project_id = a.project_id AND j.queue_id = a.queue_id AND j.trace_id = a.trace_id) AS j,
                (${disagree.sql || '0'}) AS disagree,
                json_array(${skipped.join(', ')}) AS s
         FROM annotations a WHERE +a.project_id = ?${where.sql}
         GROUP BY a.trace_id
       )
       SELECT 'p' AS kind, r AS a, j AS b, count(*) AS c FROM t GROUP BY r, j
       UNION ALL
       SELECT 's', (SELECT json_array(${specs.map((_, i) => `coalesce(sum(s ->> '$[${i}]'), 0)`).join(', ')}) FROM t), NULL, NULL
       UNION ALL
       SELECT * FROM (
         SELECT 'd', traceId, latest, total FROM (SELECT traceId, latest, count(*) OVER () AS total FROM t WHERE disagree${state})
         WHERE 1${after} ORDER BY latest DESC, traceId DESC LIMIT ?
       )`,
    )
    .bind(...reviews.args, ...adjudicated.args, ...disagree.args, projectId, ...where.args, ...(page.after ?? []), page.limit);
}
