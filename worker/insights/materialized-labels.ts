import { batchOverLabels } from '../data/trace-labels';
import type { LabelField } from '../schemas/label-schemas';
import { fieldPath, type LabelScope, type LabelSource, type SchemaVersionFields } from './labels';

/**
 * Reading `trace_labels` (kept by materialize-sql.ts) the way `resolveLabels` reads annotations: per
 * field, the reference kind is the kind of the newest schema version any answer in scope used, the
 * labels are the rows of that kind, and answers of other kinds are `skippedVersions`.
 *
 * Finding the reference over a trace filter means matching every label row against the filter; most
 * projects never change a field's type, so `planFields` first asks (two index lookups per field)
 * whether the scope holds a single kind and no answers under versions without the field. Then that
 * kind is the reference whenever the filter keeps any answer, nothing is skipped, and the newest
 * version comes out of the main read. Otherwise one more read totals the kinds over the filter.
 */

export type Kind = 'pass_fail' | 'boolean' | 'numeric' | 'text' | 'categorical' | 'categorical-multi';

/** The kind `sameType` compares: the type, with multi-select categorical apart. */
export const kindOf = (f: LabelField): Kind => (f.type === 'categorical' && f.multiple ? 'categorical-multi' : f.type);

/** The scope column's value: '' for every queue. */
export const scopeKey = (s: Pick<LabelScope, 'queueId'>): string => s.queueId ?? '';

/** A materialized label as the consumers use it. */
export interface StoredLabel {
  traceId: string;
  /** As resolveLabels gives it; undefined for a contested trace. */
  value: unknown;
  source: LabelSource;
  reviewers: number;
  /** A queue the label comes from (for an adjudication-only label, the first adjudication's). */
  queueId: string;
}

/** The reference of one field in a scope: the kind to read and what is known before reading it. */
export interface FieldPlan {
  field: string;
  /** The reference kind; null when no answer in scope is of a kind its version defines. */
  kind: Kind | null;
  /** Known when the kinds were totalled; otherwise nothing is skipped and the newest comes from the main read. */
  newest: string | null;
  skippedVersions: number;
  totalled: boolean;
}

export interface Plans {
  plans: FieldPlan[];
  versions: SchemaVersionFields[];
}

/** ` AND +l.trace_id IN (traces the filter selects)`: the list is built once and each row probes it. */
export function traceFilterSql(traces: LabelScope['traces']): { sql: string; args: unknown[] } {
  if (!traces) return { sql: '', args: [] };
  return { sql: ` AND +l.trace_id IN (SELECT t.trace_id FROM traces t WHERE ${traces.sql})`, args: traces.args };
}

/** The definition of `field` in the version a `newest` key names (`created_at:version:schema_id`). */
export function definitionAt(versions: readonly SchemaVersionFields[], field: string, newest: string | null): LabelField | null {
  if (!newest) return null;
  const version = Number(newest.slice(16, 26));
  const schemaId = newest.slice(27);
  return versions.find((v) => v.schemaId === schemaId && v.version === version)?.fields.find((f) => f.key === field) ?? null;
}

/** A stored JSON value as resolveLabels holds it: multi-select sets sorted the way JavaScript sorts. */
export function parseValue(kind: Kind | null, json: unknown): unknown {
  if (json === null || json === undefined) return undefined;
  return kind === 'categorical-multi' && Array.isArray(json) ? [...json].sort() : json;
}

/**
 * The reference kind of each field in the scope (see the module comment). With `reference`, that
 * definition's kind is used instead (as resolveLabels' `opts.reference`), and every other kind is skipped.
 * Rebuilds the project's labels first when they predate the current rule.
 */
export async function planFields(d1: D1Database, projectId: string, fields: readonly string[], scope: LabelScope, reference?: LabelField): Promise<Plans> {
  fields.forEach(fieldPath);
  const key = scopeKey(scope);
  const kinds = fields.map((f) =>
    d1
      .prepare(
        `SELECT (SELECT min(kind) FROM trace_labels WHERE project_id = ?1 AND scope = ?2 AND field = ?3 AND kind > '') AS lo,
                (SELECT max(kind) FROM trace_labels WHERE project_id = ?1 AND scope = ?2 AND field = ?3 AND kind > '') AS hi,
                EXISTS (SELECT 1 FROM trace_labels WHERE project_id = ?1 AND scope = ?2 AND field = ?3 AND kind = '') AS blank`,
      )
      .bind(projectId, key, f),
  );
  const versionRows = d1
    .prepare(`SELECT schema_id AS schemaId, version, fields FROM label_schema_versions WHERE project_id = ? ORDER BY created_at, version, schema_id`)
    .bind(projectId);
  const [versionsResult, ...kindResults] = await batchOverLabels(d1, projectId, [versionRows, ...kinds]);
  const versions = (versionsResult.results as { schemaId: string; version: number; fields: string }[]).map((v) => ({ ...v, fields: JSON.parse(v.fields) as LabelField[] }));
  const plans: (FieldPlan | null)[] = fields.map((field, i) => {
    const { lo, hi, blank } = kindResults[i].results[0] as { lo: Kind | null; hi: Kind | null; blank: number };
    if (reference || blank || lo !== hi) return null;
    return { field, kind: lo, newest: null, skippedVersions: 0, totalled: false };
  });
  const open = fields.filter((_, i) => !plans[i]);
  if (open.length) {
    const filter = traceFilterSql(scope.traces);
    const { results } = await d1
      .prepare(
        `SELECT l.field, l.kind, sum(l.answers) AS answers, max(l.newest) AS newest FROM trace_labels l
         WHERE l.project_id = ? AND l.scope = ? AND l.field IN (SELECT value FROM json_each(?))${filter.sql}
         GROUP BY l.field, l.kind`,
      )
      .bind(projectId, key, JSON.stringify(open), ...filter.args)
      .all<{ field: string; kind: Kind | ''; answers: number; newest: string | null }>();
    fields.forEach((field, i) => {
      if (plans[i]) return;
      const rows = results.filter((r) => r.field === field);
      let top = reference ? (rows.find((r) => r.kind === kindOf(reference)) ?? null) : null;
      if (!reference) for (const r of rows) if (r.kind !== '' && r.newest && (!top || r.newest > top.newest!)) top = r;
      const kind = reference ? kindOf(reference) : ((top?.kind || null) as Kind | null);
      const skippedVersions = rows.filter((r) => r.kind !== kind).reduce((s, r) => s + r.answers, 0);
      plans[i] = { field, kind, newest: top?.newest ?? null, skippedVersions, totalled: true };
    });
  }
  return { plans: plans as FieldPlan[], versions };
}

export interface StoredFieldLabels {
  field: LabelField | null;
  labels: Map<string, StoredLabel>;
  contested: Map<string, StoredLabel>;
  skippedVersions: number;
}

/**
 * The materialized counterpart of `fieldLabels` (labels.ts): the effective label of `field` per trace
 * in scope, ties in `contested`. Values, sources and reviewer counts match resolveLabels over the same rows.
 */
export async function storedLabels(d1: D1Database, projectId: string, field: string, scope: LabelScope = {}, opts: { reference?: LabelField } = {}): Promise<StoredFieldLabels> {
  const { plans, versions } = await planFields(d1, projectId, [field], scope, opts.reference);
  const plan = plans[0];
  const labels = new Map<string, StoredLabel>();
  const contested = new Map<string, StoredLabel>();
  if (plan.kind === null) return { field: opts.reference ?? null, labels, contested, skippedVersions: plan.skippedVersions };
  const filter = traceFilterSql(scope.traces);
  const { results } = await d1
    .prepare(
      `SELECT json_group_array(json_array(l.trace_id, json(l.value), l.source, l.reviewers, l.queue_id)) AS r, max(l.newest) AS newest FROM trace_labels l
       WHERE l.project_id = ? AND l.scope = ? AND l.field = ? AND l.kind = ?${filter.sql}
       GROUP BY substr(l.trace_id, 1, 3)`,
    )
    .bind(projectId, scopeKey(scope), field, plan.kind, ...filter.args)
    .all<{ r: string; newest: string | null }>();
  let newest = plan.newest;
  for (const g of results) {
    if (!plan.totalled && g.newest && (!newest || g.newest > newest)) newest = g.newest;
    for (const [traceId, json, source, reviewers, queueId] of JSON.parse(g.r) as [string, unknown, LabelSource, number, string][]) {
      const label = { traceId, value: parseValue(plan.kind, json), source, reviewers, queueId };
      (label.value === undefined ? contested : labels).set(traceId, label);
    }
  }
  return { field: opts.reference ?? definitionAt(versions, field, newest), labels, contested, skippedVersions: plan.skippedVersions };
}
