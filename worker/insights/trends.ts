import { BadRequest } from '../lib/errors';
import type { TrendBucket, TrendSeries, TrendsQuery, TrendsResponse } from '../schemas/insights-segments';
import { bucketSql, contestedNote, DIMENSION_COLUMN, dimsOf, fieldsInfo, loadLabels, sharedFilter, sqlOf, Tally, whereOf, type LabelSet, type TraceLabel, type Where } from './segments';

/**
 * Failure-pattern trends: per time bucket (by trace start, UTC) and per split value, the labeled traces,
 * each value's count and rate, and the pass rate with its Wilson interval.
 */

const DAY = 86_400_000;
const STEP: Record<TrendBucket, number> = { day: DAY, week: 7 * DAY };
/** Without a `from`, trends cover this much before `to`. */
export const DEFAULT_RANGE_MS = 90 * DAY;
/** More buckets than a chart can show; a year of days fits. */
export const MAX_BUCKETS = 400;

/** Start of the UTC day, or of the ISO week (Monday 00:00 UTC), holding `ms`. */
export function bucketStart(ms: number, bucket: TrendBucket): number {
  const day = Math.floor(ms / DAY);
  if (bucket === 'day') return day * DAY;
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return (day - (((day + 3) % 7) + 7) % 7) * DAY;
}

/** The buckets that meet [from, to); `partial` when the range does not cover the whole bucket. */
export function bucketsOf(from: number, to: number, bucket: TrendBucket): TrendsResponse['buckets'] {
  const out: TrendsResponse['buckets'] = [];
  for (let start = bucketStart(from, bucket); start < to; start += STEP[bucket]) {
    if (out.length === MAX_BUCKETS) {
      throw new BadRequest(`The range has more than ${MAX_BUCKETS} ${bucket}s; narrow it${bucket === 'day' ? ' or use bucket=week' : ''}.`);
    }
    const end = start + STEP[bucket];
    out.push({ start, end, partial: start < from || end > to });
  }
  return out;
}

interface Acc {
  total: Tally;
  points: Tally[];
}

const acc = (n: number): Acc => ({ total: new Tally(), points: Array.from({ length: n }, () => new Tally()) });

/** Labeled traces of one bucket (`start`) that share their split values and labels. */
export interface TrendGroup {
  start: number;
  dims: (string | null)[];
  label: TraceLabel;
  n: number;
}

/**
 * Buckets and series from groups of labeled traces (pure). Series rank by labeled traces over the whole
 * range; a trace with several tags counts in each of its tags' series and once in `other`.
 */
export function buildTrends(groups: readonly TrendGroup[], values: readonly string[], buckets: TrendsResponse['buckets'], bucket: TrendBucket, top: number, split: boolean) {
  const first = buckets[0]?.start ?? 0;
  const indexOf = (ms: number) => (bucketStart(ms, bucket) - first) / STEP[bucket];
  const overall = acc(buckets.length);
  const byValue = new Map<string | null, Acc>();
  const counted: { g: TrendGroup; i: number }[] = [];
  for (const g of groups) {
    const i = indexOf(g.start);
    if (i < 0 || i >= buckets.length) continue;
    counted.push({ g, i });
    overall.total.add(g.label, g.n);
    overall.points[i].add(g.label, g.n);
    if (!split) continue;
    for (const d of g.dims) {
      const s = byValue.get(d) ?? acc(buckets.length);
      s.total.add(g.label, g.n);
      s.points[i].add(g.label, g.n);
      byValue.set(d, s);
    }
  }
  const ranked = [...byValue].sort(([va, a], [vb, b]) => b.total.labeled - a.total.labeled || (va ?? '\uffff').localeCompare(vb ?? '\uffff'));
  const kept = ranked.slice(0, top);
  const keptValues = new Set(kept.map(([v]) => v));
  const other = acc(buckets.length);
  for (const { g, i } of counted) {
    if (!g.dims.some((d) => !keptValues.has(d))) continue;
    other.total.add(g.label, g.n);
    other.points[i].add(g.label, g.n);
  }
  const out = (a: Acc) => ({ total: a.total.result(values), points: a.points.map((p) => p.result(values)) });
  const series: TrendSeries[] = kept.map(([value, a]) => ({ kind: value === null ? 'none' : 'value', value, ...out(a) }));
  if (ranked.length > top) series.push({ kind: 'other', value: null, ...out(other) });
  return { overall: out(overall), series, otherValues: Math.max(0, ranked.length - top) };
}

/**
 * The start of the earliest trace in `where` (before `before`, when given) reviewed in the scope: a walk
 * of the traces in start order that stops at the first with a review marker in trace_labels.
 */
async function firstReviewed(d1: D1Database, projectId: string, where: Where, queueId: string | undefined, before?: number): Promise<number | null> {
  const row = await d1
    .prepare(
      `SELECT t.start_ms AS start FROM traces t WHERE ${where.sql}${before === undefined ? '' : ' AND t.start_ms < ?'}
         AND EXISTS (SELECT 1 FROM trace_labels l WHERE l.project_id = ? AND l.scope = ? AND l.field = '' AND l.kind = '' AND l.trace_id = t.trace_id)
       ORDER BY t.start_ms LIMIT 1`,
    )
    .bind(...where.args, ...(before === undefined ? [] : [before]), projectId, queueId ?? '')
    .first<{ start: number }>();
  return row?.start ?? null;
}

/**
 * The trends of a project's labels over the filter's range (default: the 90 days before `to`, or now,
 * starting at the bucket of the first reviewed trace in them).
 */
export async function trends(d1: D1Database, projectId: string, q: TrendsQuery, now: number): Promise<TrendsResponse> {
  const filter = sharedFilter(q);
  const to = filter.to ?? now;
  let from = filter.from ?? Math.max(0, to - DEFAULT_RANGE_MS);
  if (from >= to) throw new BadRequest('`from` must be before `to`.');
  const where = whereOf(projectId, { ...filter, from, to });
  const dim = q.splitBy ? DIMENSION_COLUMN[q.splitBy] : 'NULL';
  const labels = await loadLabels(d1, projectId, {
    field: q.field,
    verdictField: q.verdictField,
    failValue: q.failValue,
    queueId: q.queueId,
    traces: where,
    sources: [sqlOf(`SELECT t.trace_id, 1 AS sc, t.start_ms AS k0, ${dim} AS k1 FROM traces t WHERE ${where.sql}`, ...where.args)],
    keys: 2,
    groupBy: [bucketSql('k0', q.bucket), 'k1'],
  });
  const groups = labels.groups.map((g): TrendGroup => ({ start: g.keys[0] as number, dims: dimsOf(q.splitBy, g.keys[1] as string | null), label: g.label, n: g.n }));
  // Without an explicit `from`, the chart starts at the first reviewed trace's bucket, not with weeks of
  // nothing. Labeled traces are reviewed, so only a reviewed trace before the first labeled bucket can move it.
  if (filter.from === undefined) {
    const firstLabeled = groups.reduce((m, g) => Math.min(m, g.start), Infinity);
    const earliest = firstLabeled <= from ? null : await firstReviewed(d1, projectId, where, q.queueId, Number.isFinite(firstLabeled) ? firstLabeled : undefined);
    const start = earliest ?? (Number.isFinite(firstLabeled) ? firstLabeled : null);
    if (start !== null) from = Math.max(from, bucketStart(start, q.bucket));
  }
  const buckets = bucketsOf(from, to, q.bucket);
  const built = buildTrends(groups, labels.values, buckets, q.bucket, q.series, q.splitBy !== undefined);
  return {
    ...fieldsInfo(labels),
    bucket: q.bucket,
    from,
    to,
    filter,
    queueId: q.queueId ?? null,
    buckets,
    splitBy: q.splitBy ?? null,
    ...built,
    notes: notes(labels, built.overall.total.labeled, q),
  };
}

function notes(labels: LabelSet, labeled: number, q: TrendsQuery): string[] {
  const out: string[] = [];
  if (labeled === 0) out.push('No labeled traces match these filters in this range.');
  else {
    if (labels.fieldType === null) out.push(`No reviewer answered "${labels.field}" on these traces.`);
    if (labels.verdictType === null) out.push(`No reviewer answered "${labels.verdictField}" on these traces, so there is no pass rate.`);
  }
  if (labels.skippedVersions) out.push(`${labels.skippedVersions} answers were left out: their schema version gives the field another type.`);
  if (labels.contested) out.push(contestedNote(labels.contested));
  if (q.splitBy === 'tag') out.push('A trace with several tags counts in the series of each of its tags.');
  return out;
}
