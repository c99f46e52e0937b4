import { compileTraceFilter } from '../data/trace-query';
import { Unprocessable } from '../lib/errors';
import { filterFromParams, type TraceFilter, type TraceQueryParams } from '../schemas/filters';
import { SegmentFilterParams, type Dimension, type LabelFieldsInfo, type LabelTally } from '../schemas/insights-segments';
import type { LabelField } from '../schemas/label-schemas';
import { fieldsLabels, isPositive } from './labels';
import { wilsonInterval } from './stats/wilson';

/**
 * What trends and comparisons share: the explorer's filters as SQL, the effective labels of the counted
 * field and the verdict, the labeled traces of a segment, and the tally of their labels.
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

export function andWhere(...parts: Where[]): Where {
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), args: parts.flatMap((p) => p.args) };
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

export interface LabelSet extends LabelFieldsInfo {
  byTrace: Map<string, TraceLabel>;
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

/**
 * The effective labels (adjudication over majority, schema-version aware; see labels.ts) of `field` and
 * `verdictField` on the traces `where` selects. A trace counts as labeled when either has a label.
 * @throws Unprocessable when a field cannot be counted, or a categorical verdict has no `failValue`.
 */
export async function loadLabels(
  d1: D1Database,
  projectId: string,
  opts: { field: string; verdictField: string; failValue?: string; queueId?: string; where: Where },
): Promise<LabelSet> {
  const scope = { queueId: opts.queueId, traces: opts.where };
  const same = opts.verdictField === opts.field;
  const [counted, verdict = null] = await fieldsLabels(d1, projectId, same ? [opts.field] : [opts.field, opts.verdictField], scope);
  const verdictLabels = verdict ?? counted;
  const fieldType = countedType(opts.field, counted.field, 'counted field');
  const verdictType = countedType(opts.verdictField, verdictLabels.field, 'verdict field');
  if (verdictType === 'categorical' && opts.failValue === undefined) {
    throw new Unprocessable(`"${opts.verdictField}" is categorical: name the value that means failure with failValue.`, { field: opts.verdictField });
  }
  const failValue = verdictType === null ? (opts.failValue ?? null) : (opts.failValue ?? (verdictType === 'boolean' ? 'true' : 'fail'));

  const values = valuesOf(counted.field);
  const known = new Set(values);
  const extra = new Set<string>();
  const byTrace = new Map<string, TraceLabel>();
  for (const [traceId, l] of counted.labels) {
    const list = [...new Set(asList(l.value))];
    for (const v of list) if (!known.has(v)) extra.add(v);
    byTrace.set(traceId, { values: list, failed: null });
  }
  for (const [traceId, l] of verdictLabels.labels) {
    const t = byTrace.get(traceId) ?? { values: null, failed: null };
    t.failed = isPositive(l.value, failValue!);
    byTrace.set(traceId, t);
  }
  return {
    field: opts.field,
    fieldType,
    values: [...values, ...[...extra].sort()],
    verdictField: opts.verdictField,
    verdictType,
    failValue,
    skippedVersions: counted.skippedVersions + (verdict?.skippedVersions ?? 0),
    contested: new Set([...counted.contested.keys(), ...verdictLabels.contested.keys()]).size,
    byTrace,
  };
}

export interface TraceRow {
  traceId: string;
  startMs: number;
  /** The trace's values of the dimension asked for: one (or null), or each of its tags. */
  dims: (string | null)[];
}

/**
 * Traces `where` selects that have an annotation or adjudication (of the queue, when given).
 * They come as JSON arrays of [traceId, startMs, dim], one row per first two characters of the trace id:
 * receiving 40k rows from D1 costs the Worker more than the query itself, and 256 groups keep each row
 * well below D1's 2 MB limit (≈60 bytes a trace: 8M traces in range before a group could reach it).
 */
export async function reviewedTraces(d1: D1Database, projectId: string, where: Where, queueId?: string, dimension?: Dimension): Promise<TraceRow[]> {
  const queue = queueId === undefined ? '' : ' AND queue_id = ?';
  const queueArgs = queueId === undefined ? [] : [queueId];
  const dim = dimension ? `, ${DIMENSION_COLUMN[dimension]}` : '';
  const { results } = await d1
    .prepare(
      `SELECT json_group_array(json_array(t.trace_id, t.start_ms${dim})) AS r FROM traces t
       WHERE ${where.sql} AND t.trace_id IN (
         SELECT trace_id FROM annotations WHERE project_id = ?${queue}
         UNION SELECT trace_id FROM adjudications WHERE project_id = ?${queue})
       GROUP BY substr(t.trace_id, 1, 2)`,
    )
    .bind(...where.args, projectId, ...queueArgs, projectId, ...queueArgs)
    .all<{ r: string }>();
  const out: TraceRow[] = [];
  for (const { r } of results) {
    for (const [traceId, startMs, raw] of JSON.parse(r) as [string, number, string | null | undefined][]) {
      out.push({ traceId, startMs, dims: dimsOf(dimension, raw ?? null) });
    }
  }
  return out;
}

function dimsOf(dimension: Dimension | undefined, raw: string | null): (string | null)[] {
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

/** Counts the labels of a set of traces, one trace at a time. */
export class Tally {
  labeled = 0;
  private counts = new Map<string, number>();
  private verdicts = 0;
  private passes = 0;

  add(label: TraceLabel): void {
    this.labeled++;
    for (const v of label.values ?? []) this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
    if (label.failed !== null) {
      this.verdicts++;
      if (!label.failed) this.passes++;
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
export function fieldsInfo(l: LabelSet): LabelFieldsInfo {
  const { byTrace: _, ...info } = l;
  return info;
}

export function contestedNote(n: number): string {
  return `${n} trace${n === 1 ? ' has' : 's have'} reviewers who tie on a field and no adjudication; ${n === 1 ? 'it is' : 'they are'} left out of that field.`;
}
