import { z } from 'zod';
import { TraceQueryParams } from './filters';
import type { LabelValues } from './label-schemas';
import { MAX_NOTES_LENGTH, type ItemContextResponse } from './queues';

/**
 * Reviewer agreement (`GET /api/v1/insights/agreement`) and adjudication
 * (`PUT|DELETE /api/v1/queues/:queueId/items/:itemId/adjudication`). Client-safe.
 */

const FieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a field key is lowercase letters, digits and _ (starting with a letter)');
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The explorer's filter params (not its paging or sort), plus the queue, an optional field and the disagreements page. */
export const AgreementQuery = TraceQueryParams.omit({ cursor: true, limit: true, sort: true, order: true, sortEval: true }).extend({
  queueId: z.string().min(1).max(64),
  /** One field; otherwise every field of the queue's schema except text ones. */
  field: FieldKey.optional(),
  /** The disagreements page. */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Only disagreements that are (true) or are not yet (false) adjudicated. */
  adjudicated: bool.optional(),
});
export type AgreementQuery = z.infer<typeof AgreementQuery>;

/** Below this many items with two or more reviews, κ and α are too rough to act on. */
export const MIN_AGREEMENT_ITEMS = 30;
/** Reviewer pairs get their own Cohen's κ when they share at least this many items. */
export const MIN_PAIR_ITEMS = 10;

export interface KappaSummary {
  kappa: number | null;
  /** Large-sample standard error (Fleiss, Cohen & Everitt 1969). */
  se: number | null;
  ci95: [number, number] | null;
  /** Items both reviewers rated. */
  n: number;
}

export interface ReviewerRef {
  reviewerId: string;
  reviewerName: string;
}

/** Cohen's κ of one pair of reviewers over the items both rated. */
export interface PairKappa extends KappaSummary {
  a: ReviewerRef;
  b: ReviewerRef;
}

export interface AlphaSummary {
  level: 'nominal' | 'ordinal' | 'interval';
  alpha: number | null;
  /** Items with two or more values. */
  units: number;
  /** n.., the number of pairable values. */
  pairable: number;
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** The agreement statistics of one scale: a field, or one option of a multi-select field (chosen or not). */
export interface ScaleAgreement {
  /** Items with two or more reviews. */
  n: number;
  /** Share of those items where every reviewer gave the same value, with a Wilson 95% interval. */
  percentAgreement: Interval | null;
  /** Mean share of agreeing reviewer pairs per item (Fleiss' P̄ over every item). */
  pairwiseAgreement: number | null;
  /** When exactly two reviewers rated the items; null otherwise (see `pairs`). */
  cohen: (KappaSummary & { a: ReviewerRef; b: ReviewerRef }) | null;
  /** With three or more reviewers: Cohen's κ of each pair sharing at least MIN_PAIR_ITEMS items. */
  pairs: PairKappa[];
  /** Over the items with the most common number of reviews (`raters`); `items` says how many. */
  fleiss: { kappa: number | null; items: number; raters: number } | null;
  /** Nominal for categories; interval and ordinal for numbers. */
  alpha: AlphaSummary[];
}

export interface ReviewerAgreementRow extends ReviewerRef {
  /** Items this reviewer answered that someone else answered too. */
  items: number;
  /** Items where the others had a single most common value (leave-one-out), and how many matched it. */
  compared: number;
  agreed: number;
  /** agreed / compared with a Wilson 95% interval; null when nothing was compared. */
  rate: Interval | null;
  /** Items skipped because the others tied. */
  ties: number;
  /** Against the adjudicated value, on the adjudicated items this reviewer answered. */
  adjudicated: { compared: number; agreed: number };
}

export interface OptionAgreement extends ScaleAgreement {
  value: string;
}

export interface FieldAgreement extends ScaleAgreement {
  key: string;
  title: string;
  type: 'pass_fail' | 'boolean' | 'categorical' | 'numeric';
  multiple: boolean;
  /** Answers counted, and answers skipped because their schema version defines the field with another type. */
  answers: number;
  skippedAnswers: number;
  /** Items whose reviewers did not all agree, and of those the ones adjudicated. */
  disagreements: number;
  adjudicated: number;
  reviewers: ReviewerAgreementRow[];
  /** Multi-select only: one binary scale per option (chosen or not); the field-level κ and α are then empty. */
  options: OptionAgreement[] | null;
  tooFew: boolean;
  note: string | null;
}

/** An admin's final label for a queue item. */
export interface AdjudicationResponse {
  queueId: string;
  traceId: string;
  schemaId: string;
  schemaVersion: number;
  values: LabelValues;
  notes: string | null;
  /** User id, or `key:<id>` for an API key. */
  adjudicatedBy: string;
  adjudicatedByName: string;
  createdAt: string;
  updatedAt: string;
}

export interface DisagreementReview extends ReviewerRef {
  schemaVersion: number;
  /** As submitted (every field of the reviewer's schema version). */
  values: LabelValues;
  notes: string | null;
  submittedAt: string;
}

export interface DisagreementItem {
  traceId: string;
  inputPreview: string | null;
  outputPreview: string | null;
  /** Keys of the fields the reviewers disagree on. */
  fields: string[];
  reviews: DisagreementReview[];
  /** Per disagreeing field: the label the other analyses use, and where it comes from (`tie`: none). */
  effective: Record<string, { value: unknown; source: 'adjudicated' | 'majority' | 'tie' }>;
  adjudication: AdjudicationResponse | null;
}

export interface AgreementResponse {
  queue: { id: string; name: string; reviewersPerItem: number; schemaId: string; schemaVersion: number };
  /** True when explorer filters narrowed the items. */
  filtered: boolean;
  /** Items with at least one review, and with two or more. */
  items: { reviewed: number; overlapping: number };
  reviewers: ReviewerRef[];
  minItems: number;
  fields: FieldAgreement[];
  disagreements: { data: DisagreementItem[]; nextCursor: string | null; total: number };
}

export const AdjudicationBody = z.object({
  /** The final value of each adjudicated field; other fields keep the reviewers' majority. */
  values: z.record(z.string(), z.unknown()),
  notes: z.string().max(MAX_NOTES_LENGTH).nullish(),
});
export type AdjudicationBody = z.infer<typeof AdjudicationBody>;

/** `GET /queues/:queueId/items/:itemId`, with the item's adjudication (null in a blind queue before one's own review). */
export type ItemDetailResponse<Trace = unknown> = ItemContextResponse<Trace> & { adjudication: AdjudicationResponse | null };
