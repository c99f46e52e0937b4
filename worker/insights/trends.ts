import { BadRequest } from '../lib/errors';
import type { TrendBucket, TrendSeries, TrendsQuery, TrendsResponse } from '../schemas/insights-segments';
import { contestedNote, fieldsInfo, loadLabels, reviewedTraces, sharedFilter, Tally, whereOf, type LabelSet, type TraceRow } from './segments';

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

/**
 * Buckets and series from the reviewed traces and their labels (pure). Series rank by labeled traces over
 * the whole range; a trace with several tags counts in each of its tags' series and once in `other`.
 */
export function buildTrends(rows: readonly TraceRow[], labels: LabelSet, buckets: TrendsResponse['buckets'], bucket: TrendBucket, top: number, split: boolean) {
  const first = buckets[0]?.start ?? 0;
  const indexOf = (ms: number) => (bucketStart(ms, bucket) - first) / STEP[bucket];
  const overall = acc(buckets.length);
  const byValue = new Map<string | null, Acc>();
  const counted: { row: TraceRow; i: number }[] = [];
  for (const row of rows) {
    const label = labels.byTrace.get(row.traceId);
    const i = indexOf(row.startMs);
    if (!label || i < 0 || i >= buckets.length) continue;
    counted.push({ row, i });
    overall.total.add(label);
    overall.points[i].add(label);
    if (!split) continue;
    for (const d of row.dims) {
      const s = byValue.get(d) ?? acc(buckets.length);
      s.total.add(label);
      s.points[i].add(label);
      byValue.set(d, s);
    }
  }
  const ranked = [...byValue].sort(([va, a], [vb, b]) => b.total.labeled - a.total.labeled || (va ?? '\uffff').localeCompare(vb ?? '\uffff'));
  const kept = ranked.slice(0, top);
  const keptValues = new Set(kept.map(([v]) => v));
  const other = acc(buckets.length);
  for (const { row, i } of counted) {
    if (!row.dims.some((d) => !keptValues.has(d))) continue;
    const label = labels.byTrace.get(row.traceId)!;
    other.total.add(label);
    other.points[i].add(label);
  }
  const out = (a: Acc) => ({ total: a.total.result(labels.values), points: a.points.map((p) => p.result(labels.values)) });
  const series: TrendSeries[] = kept.map(([value, a]) => ({ kind: value === null ? 'none' : 'value', value, ...out(a) }));
  if (ranked.length > top) series.push({ kind: 'other', value: null, ...out(other) });
  return { overall: out(overall), series, otherValues: Math.max(0, ranked.length - top) };
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
  const [labels, rows] = await Promise.all([
    loadLabels(d1, projectId, { field: q.field, verdictField: q.verdictField, failValue: q.failValue, queueId: q.queueId, where }),
    reviewedTraces(d1, projectId, where, q.queueId, q.splitBy),
  ]);
  // Without an explicit `from`, the chart starts at the first reviewed trace's bucket, not with weeks of nothing.
  if (filter.from === undefined && rows.length) from = Math.max(from, bucketStart(rows.reduce((m, r) => Math.min(m, r.startMs), Infinity), q.bucket));
  const buckets = bucketsOf(from, to, q.bucket);
  const built = buildTrends(rows, labels, buckets, q.bucket, q.series, q.splitBy !== undefined);
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
