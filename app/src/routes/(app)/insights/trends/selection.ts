import type { EvaluatorsResponse } from '$shared/insights';
import type { Dimension, TrendBucket } from '$shared/insights-segments';
import { defaultField, defaultVerdict, DIMENSIONS, filterParams } from '../params';

/** The trends page's choices, read from the URL (API parameter names; `range` is the page's own). Pure. */

export const RANGES = { '30d': 30, '90d': 90, '180d': 180, '365d': 365 } as const;
export type RangeKey = keyof typeof RANGES;
const DAY = 86_400_000;

export interface TrendSelection {
  field: string;
  verdictField: string;
  failValue: string;
  bucket: TrendBucket;
  splitBy: Dimension | '';
  series: number;
  queueId: string;
  range: RangeKey;
}

export function readTrendSelection(q: URLSearchParams, catalog: EvaluatorsResponse): TrendSelection {
  const split = q.get('splitBy') ?? '';
  const series = Number(q.get('series'));
  const range = q.get('range') ?? '90d';
  return {
    field: q.get('field') || defaultField(catalog.fields),
    verdictField: q.get('verdictField') || defaultVerdict(catalog.fields),
    failValue: q.get('failValue') ?? '',
    bucket: q.get('bucket') === 'day' ? 'day' : 'week',
    splitBy: (DIMENSIONS as string[]).includes(split) ? (split as Dimension) : '',
    series: Number.isInteger(series) && series >= 1 && series <= 20 ? series : 6,
    queueId: q.get('queueId') ?? '',
    range: range in RANGES ? (range as RangeKey) : '90d',
  };
}

/** `GET /api/v1/insights/trends` for the selection; a relative range other than the default becomes `from` unless the filters set one. */
export function trendsQuery(s: TrendSelection, q: URLSearchParams, now: number): URLSearchParams {
  const out = filterParams(q);
  out.set('field', s.field);
  out.set('verdictField', s.verdictField);
  if (s.failValue) out.set('failValue', s.failValue);
  out.set('bucket', s.bucket);
  if (s.splitBy) (out.set('splitBy', s.splitBy), out.set('series', String(s.series)));
  if (s.queueId) out.set('queueId', s.queueId);
  // 90 days is the API's own default, which also starts the chart at the first reviewed trace.
  if (!out.get('from') && s.range !== '90d') out.set('from', String(now - RANGES[s.range] * DAY));
  return out;
}
