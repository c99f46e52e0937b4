import { compileTraceFilter } from '../data/trace-query';
import { Unprocessable } from '../lib/errors';
import { filterFromParams, type TraceFilter, type TraceQueryParams } from '../schemas/filters';
import { SegmentFilterParams, type Dimension, type LabelFieldsInfo, type LabelTally } from '../schemas/insights-segments';
import type { LabelField } from '../schemas/label-schemas';
import { isPositive } from './labels';
import { definitionAt, parseValue, planFields, scopeKey } from './materialized-labels';
import { wilsonInterval } from './stats/wilson';

/**
 * What trends and comparisons share: the explorer's filters as SQL, the effective labels of the counted
 * field and the verdict grouped by what a view splits by, and the tally of their labels.
 */

export interface Where {
  sql: string;
  args: unknown[];
}

const FILTER_KEYS = Object.keys(SegmentFilterParams.shape) as (keyof SegmentFilterParams)[];

/** The TraceFilter of the explorer parameters in a parsed query; the query's other keys are left out. */
export function sharedFilter(q: Partial<SegmentFilterParams>): TraceFilter {
  const picked: Record<string, unknown> = {};
  for (const k of FILTER_KEYS) if (q[k] !== undefined) picked[k] = q[k];
  return filterFromParams({ ...picked, limit: 1, sort: 'time', order: 'desc' } as TraceQueryParams).filter;
}

export function whereOf(projectId: string, filter: TraceFilter): Where {
  return compileTraceFilter(projectId, filter);
}

/** The column of `traces t` behind each dimension (tags: the JSON array). */
export const DIMENSION_COLUMN: Record<Dimension, string> = {
  model: 't.model',
  promptVersion: 't.prompt_version',
  environment: 't.environment',
  service: 't.service',
  tag: 't.tags',
};

/** One trace's effective labels: the field's values (null: not answered) and whether the verdict failed. */
export interface TraceLabel {
  values: string[] | null;
  failed: boolean | null;
}

/** Labeled traces that share their keys (a bucket and split value, or the segments they are in) and their labels. */
export interface LabelGroup {
  keys: unknown[];
  label: TraceLabel;
  n: number;
}

export interface LabelSet extends LabelFieldsInfo {
  groups: LabelGroup[];
}

/** SQL text with its `?` arguments, in order. */
export const sqlOf = (sql: string, ...args: unknown[]): Where => ({ sql, args });

export interface LabelQuery {
  field: string;
  verdictField: string;
  failValue?: string;
  queueId?: string;
  /** The traces whose labels count (the filters, over `traces t`): the reference kind and the notes come from them. */
  traces: Where;
  /** CTE definitions the sources may read, e.g. `seg AS MATERIALIZED (…)`. */
  with?: Where;
  /**
   * SELECTs of (trace_id, sc, k0, k1, …): `sc` 1 for the traces in scope, the keys an expression or NULL.
   * A trace's key is the largest any of its rows gives; traces without an `sc` 1 row are left out.
   */
  sources: Where[];
  /** How many key columns the sources give. */
  keys: number;
  /** The group keys, over the per-trace k0, k1, … */
  groupBy: string[];
  /** A SELECT of (part, r) to answer in the same statement (it may read the `with` CTEs). */
  also?: Where;
}

type Counted = LabelFieldsInfo['fieldType'];
const COUNTABLE = new Set(['categorical', 'pass_fail', 'boolean']);

function countedType(key: string, def: LabelField | null, role: string): Counted {
  if (!def) return null;
  if (!COUNTABLE.has(def.type)) {
    throw new Unprocessable(`"${key}" is a ${def.type} field; the ${role} must be a categorical, pass/fail or boolean field.`, { field: key, type: def.type });
  }
  return def.type as Counted;
}

function valuesOf(def: LabelField | null): string[] {
  if (def?.type === 'categorical') return def.options.map((o) => o.value);
  if (def?.type === 'pass_fail') return ['pass', 'fail'];
  if (def?.type === 'boolean') return ['true', 'false'];
  return [];
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

type GroupRow = [...keys: unknown[]];

/** Groups per answer row: a few hundred kilobytes, far below D1's 2 MB row limit whatever the keys hold (tag sets). */
const GROUPS_PER_ROW = 4000;

/**
 * The effective labels (adjudication over majority, schema-version aware; see labels.ts) of `field` and
 * `verdictField` on the traces in scope, read from trace_labels and counted in SQL: one group per
 * distinct (keys, counted value, verdict value, contested). A trace counts as labeled when either field
 * has a label.
 *
 * The sources' traces and the label rows (one primary-key range per field) are read as one list that
 * SQLite sorts by trace id and groups in one pass: at 50k traces that costs about half as much as
 * matching each label row against a list of the filter's trace ids and then looking up each trace's
 * start, or looking up each trace's labels.
 * @throws Unprocessable when a field cannot be counted, or a categorical verdict has no `failValue`.
 */
export async function loadLabels(d1: D1Database, projectId: string, opts: LabelQuery): Promise<LabelSet & { also: { part: string; r: string }[] }> {
  const same = opts.verdictField === opts.field;
  const { plans, versions } = await planFields(d1, projectId, same ? [opts.field] : [opts.field, opts.verdictField], { queueId: opts.queueId, traces: opts.traces });
  const [counted, verdict = counted] = plans;
  const keyCols = Array.from({ length: opts.keys }, (_, i) => `k${i}`);
  const parts: Where[] = opts.sources.map((s) => sqlOf(`SELECT trace_id, sc, ${keyCols.join(', ')}, NULL AS field, NULL AS value, NULL AS newest FROM (${s.sql})`, ...s.args));
  // One range of the primary key per field (project, scope, field, kind).
  for (const plan of same ? [counted] : [counted, verdict]) {
    if (plan.kind === null) continue;
    parts.push(
      sqlOf(
        `SELECT l.trace_id, 0, ${keyCols.map(() => 'NULL').join(', ')}, l.field, l.value, l.newest FROM trace_labels l
         WHERE l.project_id = ? AND l.scope = ? AND l.field = ? AND l.kind = ?`,
        projectId,
        scopeKey(opts),
        plan.field,
        plan.kind,
      ),
    );
  }
  const groupBy = opts.groupBy.map((g, i) => `${g} AS g${i}`).join(', ');
  const groupCols = opts.groupBy.map((_, i) => `g${i}`).join(', ');
  const statement = sqlOf(
    `WITH ${opts.with ? `${opts.with.sql},` : ''}
     u AS (${parts.map((p) => p.sql).join('\n       UNION ALL ')}),
     per AS (
       SELECT ${keyCols.map((k) => `max(${k}) AS ${k}`).join(', ')},
         max(iif(field = ?, value, NULL)) AS c, max(iif(field = ?, value, NULL)) AS v, max(field IS NOT NULL AND value IS NULL) AS x,
         max(iif(field = ?, newest, NULL)) AS nc, max(iif(field = ?, newest, NULL)) AS nv
       FROM u GROUP BY trace_id HAVING max(sc) = 1 AND count(field) > 0)
     SELECT 'labels' AS part, json_group_array(json_array(${groupCols}, json(c), json(v), x, n, nc, nv)) AS r FROM (
       SELECT *, row_number() OVER () AS i FROM (
         SELECT ${groupBy}, c, v, x, count(*) AS n, max(nc) AS nc, max(nv) AS nv FROM per GROUP BY ${groupCols}, c, v, x))
     GROUP BY i / ${GROUPS_PER_ROW}
     ${opts.also ? `UNION ALL ${opts.also.sql}` : ''}`,
    ...(opts.with?.args ?? []),
    ...parts.flatMap((p) => p.args),
    counted.field,
    verdict.field,
    counted.field,
    verdict.field,
    ...(opts.also?.args ?? []),
  );
  const { results } = await d1
    .prepare(statement.sql)
    .bind(...statement.args)
    .all<{ part: string; r: string }>();
  const rows: GroupRow[] = [];
  for (const r of results) if (r.part === 'labels') for (const g of JSON.parse(r.r) as GroupRow[]) rows.push(g);
  const k = opts.groupBy.length;
  let [newestCounted, newestVerdict] = [counted.newest, verdict.newest];
  for (const r of rows) {
    const [nc, nv] = [r[k + 4] as string | null, r[k + 5] as string | null];
    if (!counted.totalled && nc && (!newestCounted || nc > newestCounted)) newestCounted = nc;
    if (!verdict.totalled && nv && (!newestVerdict || nv > newestVerdict)) newestVerdict = nv;
  }
  const countedDef = definitionAt(versions, opts.field, newestCounted);
  const verdictDef = same ? countedDef : definitionAt(versions, opts.verdictField, newestVerdict);
  const fieldType = countedType(opts.field, countedDef, 'counted field');
  const verdictType = countedType(opts.verdictField, verdictDef, 'verdict field');
  if (verdictType === 'categorical' && opts.failValue === undefined) {
    throw new Unprocessable(`"${opts.verdictField}" is categorical: name the value that means failure with failValue.`, { field: opts.verdictField });
  }
  const failValue = verdictType === null ? (opts.failValue ?? null) : (opts.failValue ?? (verdictType === 'boolean' ? 'true' : 'fail'));

  const values = valuesOf(countedDef);
  const known = new Set(values);
  const extra = new Set<string>();
  const groups: LabelGroup[] = [];
  let contested = 0;
  for (const r of rows) {
    const [c, v, x, n] = [r[k], r[k + 1], r[k + 2], r[k + 3] as number];
    if (x) contested += n;
    if (c === null && v === null) continue;
    const list = c === null ? null : [...new Set(asList(parseValue(counted.kind, c)))];
    for (const value of list ?? []) if (!known.has(value)) extra.add(value);
    groups.push({ keys: r.slice(0, k), label: { values: list, failed: v === null ? null : isPositive(v, failValue!) }, n });
  }
  return {
    field: opts.field,
    fieldType,
    values: [...values, ...[...extra].sort()],
    verdictField: opts.verdictField,
    verdictType,
    failValue,
    skippedVersions: counted.skippedVersions + (same ? 0 : verdict.skippedVersions),
    contested,
    groups,
    also: results.filter((r) => r.part !== 'labels'),
  };
}

/**
 * The UTC day, or ISO week (from Monday), of epoch ms `col` as epoch ms, in SQL: trends.ts' `bucketStart`
 * (floor division, 1970-01-01 a Thursday).
 */
export function bucketSql(col: string, bucket: 'day' | 'week'): string {
  const day = `(${col} / 86400000 - (${col} < 0 AND ${col} % 86400000 <> 0))`;
  return bucket === 'day' ? `${day} * 86400000` : `(${day} - ((${day} + 3) % 7 + 7) % 7) * 86400000`;
}

/** A trace's values of a dimension: one (or null), or each of its tags (JSON text in `raw`). */
export function dimsOf(dimension: Dimension | undefined, raw: string | null): (string | null)[] {
  if (dimension !== 'tag') return [raw];
  let tags: unknown;
  try {
    tags = JSON.parse(raw ?? '[]');
  } catch {
    tags = [];
  }
  const list = Array.isArray(tags) ? [...new Set(tags.map(String))] : [];
  return list.length ? list : [null];
}

/** Counts the labels of a set of traces. */
export class Tally {
  labeled = 0;
  private counts = new Map<string, number>();
  private verdicts = 0;
  private passes = 0;

  /** Adds `n` traces with this label. */
  add(label: TraceLabel, n = 1): void {
    this.labeled += n;
    for (const v of label.values ?? []) this.counts.set(v, (this.counts.get(v) ?? 0) + n);
    if (label.failed !== null) {
      this.verdicts += n;
      if (!label.failed) this.passes += n;
    }
  }

  /** The tally with a count and rate for each of `values` (zero when absent). */
  result(values: readonly string[]): LabelTally {
    const counts: Record<string, number> = {};
    const rates: Record<string, number | null> = {};
    for (const v of values) {
      counts[v] = this.counts.get(v) ?? 0;
      rates[v] = this.labeled ? counts[v] / this.labeled : null;
    }
    return { labeled: this.labeled, counts, rates, pass: { n: this.verdicts, passes: this.passes, interval: wilsonInterval(this.passes, this.verdicts) } };
  }
}

/** The field information of a label set, as responses carry it. */
export function fieldsInfo(l: LabelFieldsInfo): LabelFieldsInfo {
  const { field, fieldType, values, verdictField, verdictType, failValue, skippedVersions, contested } = l;
  return { field, fieldType, values, verdictField, verdictType, failValue, skippedVersions, contested };
}

export function contestedNote(n: number): string {
  return `${n} trace${n === 1 ? ' has' : 's have'} reviewers who tie on a field and no adjudication; ${n === 1 ? 'it is' : 'they are'} left out of that field.`;
}
