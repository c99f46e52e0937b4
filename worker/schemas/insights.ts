import { z } from 'zod';
import type { ConfusionMatrix, BinaryMetrics } from '../insights/stats/confusion';
import type { ProportionInterval } from '../insights/stats/wilson';
import type { ThresholdSweep } from '../insights/stats/rank';
import { TraceQueryParams } from './filters';
import type { LabelField } from './label-schemas';

/** Insights: query and response shapes of `/api/v1/insights`. Client-safe (the stats types are pure). */

const Id = z.string().min(1).max(64);

/** The explorer's filter parameters (`model=…&eval=faithfulness:lt:0.5`), without its paging and sort keys. */
export const InsightFilterParams = TraceQueryParams.omit({ cursor: true, limit: true, sort: true, order: true, sortEval: true });
export type InsightFilterParams = z.infer<typeof InsightFilterParams>;
export const FILTER_PARAM_KEYS = InsightFilterParams.keyof().options;

export const CalibrationQuery = z.object({
  /** The evaluation `name` to calibrate. */
  evaluator: z.string().min(1).max(128),
  /** Only this version's results; otherwise each trace's newest result of any version. */
  evaluatorVersion: z.string().max(128).optional(),
  /** The key of the label field holding the human verdict. */
  field: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is lowercase letters, digits and _ (starting with a letter)'),
  /** Only the annotations (and adjudications) of this queue; otherwise every one in the project. */
  queueId: Id.optional(),
  /**
   * The human value meaning failure: `fail` (pass_fail), `true` (boolean), an option (categorical; for
   * multi select, "the option was chosen"), or `lt:<n>` / `gte:<n>` for numeric fields. Defaults by
   * field type: `fail`, `true`, the first option, below the middle of the numeric range.
   */
  positive: z.string().min(1).max(256).optional(),
  /** The evaluator label meaning failure, when its vocabulary differs from the humans'; defaults to `positive`. */
  evaluatorPositive: z.string().min(1).max(256).optional(),
  /** `below`: a score under the threshold predicts failure (faithfulness-like); `atOrAbove` for toxicity-like. */
  direction: z.enum(['below', 'atOrAbove']).default('below'),
  /** The score cut to judge by; defaults to the one with the best F1 on the labeled traces. */
  threshold: z.coerce.number().finite().optional(),
});
export type CalibrationQuery = z.infer<typeof CalibrationQuery>;

/** A calibration plus the explorer's filters on the traces it rests on. */
export const CalibrationParams = CalibrationQuery.extend(InsightFilterParams.shape);
export type CalibrationParams = z.infer<typeof CalibrationParams>;

export const CalibrationHistoryParams = CalibrationParams.extend({
  /** UTC days, or ISO weeks starting on Monday. */
  bucket: z.enum(['day', 'week']).default('week'),
});
export type CalibrationHistoryParams = z.infer<typeof CalibrationHistoryParams>;

export const DisagreementsParams = CalibrationParams.extend({
  cursor: z.string().regex(/^\d{1,7}$/, 'a cursor from nextCursor').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DisagreementsParams = z.infer<typeof DisagreementsParams>;

/** At most this many disagreements go into a queue or a dataset per request. */
export const MAX_ROUTED = 1000;

/**
 * The calibration as JSON: the same keys and values as the query string (numbers and booleans may be
 * JSON). `queueId` names the target, so the queue the labels come from is `labelQueueId` here.
 */
const BodyBase = z.looseObject({
  labelQueueId: Id.optional(),
  /** The first `limit` disagreements, most confident mistakes first. */
  limit: z.number().int().min(1).max(MAX_ROUTED).default(MAX_ROUTED),
});

export const RouteDisagreementsBody = BodyBase.extend({ queueId: Id });
export type RouteDisagreementsBody = z.infer<typeof RouteDisagreementsBody>;

export const ExportDisagreementsBody = BodyBase.extend({
  datasetId: Id.optional(),
  /** Creates a dataset of this name instead (admins only). */
  name: z.string().trim().min(1).max(100).optional(),
}).refine((b) => (b.datasetId === undefined) !== (b.name === undefined), { message: 'send datasetId or name (for a new dataset), not both' });
export type ExportDisagreementsBody = z.infer<typeof ExportDisagreementsBody>;

/** Keys of the bodies that are not part of the calibration. */
export const BODY_ONLY_KEYS = ['labelQueueId', 'limit', 'queueId', 'datasetId', 'name'] as const;

export interface KappaSummary {
  kappa: number | null;
  se: number | null;
  ci95: [number, number] | null;
}

export interface AgreementSummary {
  n: number;
  confusion: ConfusionMatrix;
  kappa: KappaSummary;
}

/** Where the headline confusion comes from: a score threshold, or the evaluator's labels. */
export type CalibrationBasis = 'score' | 'label' | 'none';
/** `query`: the `threshold` parameter; `bestF1`: the threshold with the best F1 on these traces. */
export type ThresholdSource = 'query' | 'bestF1' | 'none';

export interface CalibrationResponse extends AgreementSummary {
  evaluator: string;
  evaluatorVersion: string | null;
  field: string;
  positive: string;
  evaluatorPositive: string;
  direction: 'below' | 'atOrAbove';
  tooFew: boolean;
  note: string | null;
  basis: CalibrationBasis;
  threshold: number | null;
  thresholdSource: ThresholdSource;
  metrics: BinaryMetrics;
  accuracyCi: ProportionInterval | null;
  /**
   * Scores against the labels: Spearman's ρ with the failure indicator (1 = failed), or with the
   * human value itself for numeric fields (`spearmanWith: 'value'`), and the threshold sweep.
   */
  scored: { n: number; spearman: number | null; spearmanWith: 'failure' | 'value'; sweep: ThresholdSweep } | null;
  labelAgreement: AgreementSummary | null;
  /** How the human labels were decided, over the traces paired. */
  labelSources: { adjudicated: number; majority: number; single: number };
}

export interface HistoryBucket {
  /** Start of the bucket, ISO-8601 (UTC midnight; Monday for weeks). */
  start: string;
  n: number;
  confusion: ConfusionMatrix;
  accuracy: number | null;
  accuracyCi: ProportionInterval | null;
  f1: number | null;
  kappa: KappaSummary;
}

export interface VersionHistory extends AgreementSummary {
  /** `''` for results sent without a version. */
  version: string;
  basis: CalibrationBasis;
  /** The threshold used in every bucket of this version. */
  threshold: number | null;
  accuracy: number | null;
  f1: number | null;
  firstSeen: string;
  lastSeen: string;
  buckets: HistoryBucket[];
}

export interface CalibrationHistoryResponse {
  evaluator: string;
  field: string;
  positive: string;
  direction: 'below' | 'atOrAbove';
  bucket: 'day' | 'week';
  /** Buckets are by the trace's start time (the evaluation's time when the trace is unknown). */
  bucketBy: 'trace_start';
  /**
   * `query`: the `threshold` parameter in every version and bucket; `bestF1PerVersion`: each version's
   * best-F1 threshold over all its labeled traces, fixed across its buckets (scores of different
   * versions need not share a scale).
   */
  thresholdSource: 'query' | 'bestF1PerVersion';
  versions: VersionHistory[];
}

export type DisagreementKind = 'false_positive' | 'false_negative';

export interface Disagreement {
  traceId: string;
  /** `false_positive`: the evaluator flagged a failure the humans did not; `false_negative`: it missed one. */
  kind: DisagreementKind;
  evaluatorVersion: string;
  score: number | null;
  evaluatorLabel: string | null;
  explanation: string | null;
  humanLabel: unknown;
  labelSource: 'adjudicated' | 'majority' | 'single';
  reviewers: number;
  inputPreview: string | null;
  outputPreview: string | null;
  startTime: string | null;
}

export interface DisagreementsResponse {
  evaluator: string;
  field: string;
  positive: string;
  basis: CalibrationBasis;
  threshold: number | null;
  thresholdSource: ThresholdSource;
  /** Traces paired (evaluator result and human label). */
  paired: number;
  total: number;
  counts: { falsePositive: number; falseNegative: number };
  data: Disagreement[];
  nextCursor: string | null;
}

export interface RouteDisagreementsResponse {
  queueId: string;
  /** Disagreements found; at most `limit` of them were sent. */
  total: number;
  sent: number;
  added: string[];
  /** Already in the queue (open or reviewed). */
  existing: string[];
  /** Removed from the queue before, so not added back. */
  removed: string[];
  notFound: string[];
}

export interface ExportDisagreementsResponse {
  datasetId: string;
  datasetName: string;
  created: boolean;
  total: number;
  sent: number;
  /** The dataset version made, or null when nothing was added. */
  version: number | null;
  added: number;
  /** Already in the dataset. */
  skipped: number;
  notFound: number;
  rejected: { traceId: string; message: string }[];
}

export interface EvaluatorVersionSummary {
  version: string;
  results: number;
  traces: number;
  /** Results with a score, and with a label. */
  scored: number;
  labelled: number;
  minScore: number | null;
  maxScore: number | null;
  firstSeen: string;
  lastSeen: string;
}

export interface EvaluatorSummary extends Omit<EvaluatorVersionSummary, 'version'> {
  name: string;
  kinds: string[];
  /** Oldest first; the last is the newest. */
  versions: EvaluatorVersionSummary[];
}

export interface LabelFieldOption {
  key: string;
  title: string;
  type: Exclude<LabelField['type'], 'text'>;
  multiple: boolean;
  /** Categorical options. */
  options: string[];
  min: number | null;
  max: number | null;
  /** The `positive` used when none is given. */
  defaultPositive: string;
  /** The schemas defining the key (newest version of each). */
  schemas: { id: string; name: string; version: number }[];
}

export interface EvaluatorsResponse {
  evaluators: EvaluatorSummary[];
  fields: LabelFieldOption[];
}

/**
 * The calibration part of a JSON body, parsed exactly as the query string is: values may be JSON
 * numbers, booleans or (for `eval`) arrays; `labelQueueId` stands for the query's `queueId`. Unknown
 * keys are refused, so a misspelled filter never widens what is sent.
 */
export function calibrationFromBody(body: Record<string, unknown>): CalibrationParams {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if ((BODY_ONLY_KEYS as readonly string[]).includes(k) || v === undefined || v === null) continue;
    out[k] = Array.isArray(v) ? v.map(String) : typeof v === 'object' ? v : String(v);
  }
  if (typeof body.labelQueueId === 'string') out.queueId = body.labelQueueId;
  return CalibrationParams.strict().parse(out);
}
