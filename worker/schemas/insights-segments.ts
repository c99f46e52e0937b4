import { z } from 'zod';
import type { MannWhitney } from '../insights/stats/mann-whitney';
import type { ProportionInterval, TwoProportionTest } from '../insights/stats/wilson';
import { TraceFilter, TraceQueryParams } from './filters';

/**
 * Failure-pattern trends and segment comparison (`/api/v1/insights/trends`, `/compare`, `/dimensions`):
 * query and response shapes. Client-safe. Every query takes the explorer's filters in their query-string
 * form (`model=…&eval=faithfulness:lt:0.5&from=…`), so a view of the explorer can be analysed as is.
 */

/** The trace attributes a series or a segment can be split by. `model` is the trace's primary model. */
export const Dimension = z.enum(['model', 'promptVersion', 'environment', 'service', 'tag']);
export type Dimension = z.infer<typeof Dimension>;

export const TrendBucket = z.enum(['day', 'week']);
export type TrendBucket = z.infer<typeof TrendBucket>;

const FieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is lowercase letters, digits and _ (starting with a letter)');

/** The explorer's filter parameters (`GET /api/v1/traces`) without its sort and paging. */
export const SegmentFilterParams = TraceQueryParams.omit({ cursor: true, limit: true, sort: true, order: true, sortEval: true });
export type SegmentFilterParams = z.infer<typeof SegmentFilterParams>;

const labelParams = {
  /** Only this queue's annotations and adjudications; otherwise every one in the project. */
  queueId: z.string().min(1).max(64).optional(),
  /** The field whose values are counted (categorical, pass/fail or boolean): the failure modes. */
  field: FieldKey.default('failure_modes'),
  /** The pass/fail (or boolean, or categorical) field the pass rate comes from. */
  verdictField: FieldKey.default('verdict'),
  /** The verdict value meaning failure: `fail` for pass/fail fields and `true` for boolean ones unless given. */
  failValue: z.string().min(1).max(256).optional(),
};

export const TrendsQuery = SegmentFilterParams.extend({
  ...labelParams,
  bucket: TrendBucket.default('week'),
  splitBy: Dimension.optional(),
  /** The largest split values by labeled traces get a series each; the rest are summed into `other`. */
  series: z.coerce.number().int().min(1).max(20).default(6),
});
export type TrendsQuery = z.infer<typeof TrendsQuery>;

/** A segment as a JSON TraceFilter in the query string; unknown keys are refused, not ignored. */
const FilterJson = z
  .string()
  .max(4000)
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a segment filter must be a JSON object (a TraceFilter)' });
      return z.NEVER;
    }
  })
  .pipe(TraceFilter.strict());

const text = z.string().min(1).max(256);

export const CompareQuery = SegmentFilterParams.extend({
  ...labelParams,
  /** Short form: A and B are two values of one dimension. */
  dimension: Dimension.optional(),
  a: text.optional(),
  b: text.optional(),
  /** General form: each segment is a TraceFilter (JSON), on top of the shared filters. */
  aFilter: FilterJson.optional(),
  bFilter: FilterJson.optional(),
  aLabel: z.string().min(1).max(100).optional(),
  bLabel: z.string().min(1).max(100).optional(),
  /** Histogram bins of each evaluator's scores. */
  bins: z.coerce.number().int().min(2).max(50).default(10),
}).superRefine((q, ctx) => {
  const short = q.dimension !== undefined || q.a !== undefined || q.b !== undefined;
  const general = q.aFilter !== undefined || q.bFilter !== undefined;
  if (short && general) ctx.addIssue({ code: 'custom', message: 'give either dimension, a and b, or aFilter and bFilter, not both' });
  else if (general && (q.aFilter === undefined || q.bFilter === undefined)) ctx.addIssue({ code: 'custom', message: 'give both aFilter and bFilter' });
  else if (!general && (q.dimension === undefined || q.a === undefined || q.b === undefined)) {
    ctx.addIssue({ code: 'custom', message: 'name the segments: dimension, a and b (e.g. dimension=model&a=gpt-4o&b=gpt-4o-mini), or aFilter and bFilter' });
  }
});
export type CompareQuery = z.infer<typeof CompareQuery>;

export const DimensionsQuery = SegmentFilterParams.extend({ queueId: labelParams.queueId });
export type DimensionsQuery = z.infer<typeof DimensionsQuery>;

/** Smallest segment whose rates are worth comparing. */
export const MIN_SEGMENT = 30;

/** The labels of a set of traces: how many, each value's count and share, and the pass rate. */
export interface LabelTally {
  /** Traces with an effective label on the field or the verdict. */
  labeled: number;
  /** Per value of the field; a multi-select answer counts once for each value picked. */
  counts: Record<string, number>;
  /** counts ÷ labeled; null when nothing is labeled. */
  rates: Record<string, number | null>;
  /** Over traces with an effective verdict; the Wilson 95 % interval. */
  pass: { n: number; passes: number; interval: ProportionInterval | null };
}

export interface LabelFieldsInfo {
  field: string;
  /** The field's type in the newest schema version with answers; null when nobody answered it. */
  fieldType: 'categorical' | 'pass_fail' | 'boolean' | null;
  /** Every value of the field: the schema's options in order, then any other value found in answers. */
  values: string[];
  verdictField: string;
  verdictType: 'categorical' | 'pass_fail' | 'boolean' | null;
  failValue: string | null;
  /** Answers left out because their schema version gives the field another type. */
  skippedVersions: number;
  /** Traces left out of a field because their reviewers tie and nobody adjudicated. */
  contested: number;
}

export interface TrendSeries {
  /** `value`: one split value; `none`: traces without one; `other`: the values beyond the top `series`. */
  kind: 'value' | 'none' | 'other';
  value: string | null;
  total: LabelTally;
  /** One per bucket, aligned with `buckets`. */
  points: LabelTally[];
}

export interface TrendsResponse extends LabelFieldsInfo {
  bucket: TrendBucket;
  /** The time range analysed, [from, to) by trace start, epoch ms. */
  from: number;
  to: number;
  filter: TraceFilter;
  queueId: string | null;
  /** UTC days, or ISO weeks starting Monday 00:00 UTC; `partial` when the range cuts the bucket. */
  buckets: { start: number; end: number; partial: boolean }[];
  overall: { total: LabelTally; points: LabelTally[] };
  splitBy: Dimension | null;
  /** Largest first, then `none` and `other` wherever their size puts them; empty without `splitBy`. */
  series: TrendSeries[];
  /** How many split values were summed into `other`. */
  otherValues: number;
  notes: string[];
}

export interface SegmentSide {
  label: string;
  /** The segment's own condition (the shared filters apply on top). */
  filter: TraceFilter;
  tally: LabelTally;
  /** At least {@link MIN_SEGMENT} labeled traces. */
  enoughData: boolean;
}

export interface MetricSide {
  successes: number;
  trials: number;
  interval: ProportionInterval | null;
}

export interface MetricComparison {
  /** `pass` for the pass rate, otherwise a value of the field. */
  key: string;
  kind: 'pass' | 'value';
  a: MetricSide;
  b: MetricSide;
  /** Pooled two-proportion z-test, A − B. */
  test: TwoProportionTest;
}

export interface ScoreSide {
  n: number;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  /** Per histogram bin, aligned with `edges`. */
  counts: number[];
}

export interface ScoreComparison {
  /** Evaluator name; each trace's lowest score of it, as the explorer filters on. */
  evaluator: string;
  /** Bin edges shared by both sides (half-open bins, the last one closed). */
  edges: number[];
  a: ScoreSide;
  b: ScoreSide;
  /** Mann–Whitney U test of A against B; null when a side has no scores. */
  test: MannWhitney | null;
}

export interface CompareResponse extends LabelFieldsInfo {
  filter: TraceFilter;
  queueId: string | null;
  dimension: Dimension | null;
  a: SegmentSide;
  b: SegmentSide;
  /** Both segments have at least {@link MIN_SEGMENT} labeled traces. */
  enoughData: boolean;
  minSegment: number;
  /** Labeled traces that fall in both segments (the tests assume none). */
  overlap: number;
  metrics: MetricComparison[];
  scores: ScoreComparison[];
  /** Plain-language reasons to distrust a number, naming the segment and metric. */
  notes: string[];
}

export interface DimensionValue {
  value: string;
  traces: number;
  /** Traces with at least one annotation or adjudication (in the queue, when one is named). */
  labeled: number;
}

export interface DimensionValues {
  /** Most labeled first, at most 100. */
  values: DimensionValue[];
  /** Traces without a value. */
  none: { traces: number; labeled: number };
  truncated: boolean;
}

export interface DimensionsResponse {
  filter: TraceFilter;
  queueId: string | null;
  dimensions: Record<Dimension, DimensionValues>;
}
