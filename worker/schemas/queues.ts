import { z } from 'zod';
import type { LabelField, LabelValues } from './label-schemas';

/** Annotation queues: request bodies and response shapes of `/api/v1/queues`. Client-safe. */

/** Traces per `POST /queues/:queueId/items`. */
export const MAX_ITEMS_PER_REQUEST = 1000;
export const MIN_LEASE_SECONDS = 30;
export const MAX_LEASE_SECONDS = 24 * 3600;
export const MAX_NOTES_LENGTH = 10_000;

const TraceId = z.string().regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hex characters').transform((s) => s.toLowerCase());

export const QueueIdParam = z.object({ queueId: z.string().min(1).max(64) });
/** An item is its trace: `itemId` is the trace id. */
export const ItemParam = QueueIdParam.extend({ itemId: TraceId });

const queueSettings = {
  name: z.string().trim().min(1, 'a queue needs a name').max(100),
  description: z.string().max(2000),
  /** Markdown shown to reviewers. */
  guidelines: z.string().max(50_000),
  /** Reviews each item needs from different reviewers; 2 or more gives overlap for agreement. */
  reviewersPerItem: z.number().int().min(1).max(10),
  /** How long a claim reserves an item before it returns to the pool. */
  leaseSeconds: z.number().int().min(MIN_LEASE_SECONDS).max(MAX_LEASE_SECONDS),
  /** `project`: any member who may review; `assigned`: only the users in `reviewers`. */
  accessMode: z.enum(['project', 'assigned']),
  reviewers: z.array(z.string().min(1).max(64)).max(500).transform((r) => [...new Set(r)]),
  /** Hide evaluation results and other reviewers' labels until this reviewer has submitted. */
  blind: z.boolean(),
};

export const CreateQueueBody = z.object({
  name: queueSettings.name,
  description: queueSettings.description.default(''),
  guidelines: queueSettings.guidelines.default(''),
  /** Defaults to the project's starter schema. */
  schemaId: z.string().min(1).max(64).optional(),
  /** Defaults to the schema's newest version. */
  schemaVersion: z.number().int().positive().optional(),
  reviewersPerItem: queueSettings.reviewersPerItem.default(1),
  leaseSeconds: queueSettings.leaseSeconds.default(900),
  accessMode: queueSettings.accessMode.default('project'),
  reviewers: queueSettings.reviewers.default([]),
  blind: queueSettings.blind.default(false),
});
export type CreateQueueBody = z.infer<typeof CreateQueueBody>;

/** Every setting may change; `schemaVersion` only moves forward, within the queue's schema. */
export const UpdateQueueBody = z
  .object({
    name: queueSettings.name,
    description: queueSettings.description,
    guidelines: queueSettings.guidelines,
    schemaVersion: z.union([z.number().int().positive(), z.literal('latest')]),
    reviewersPerItem: queueSettings.reviewersPerItem,
    leaseSeconds: queueSettings.leaseSeconds,
    accessMode: queueSettings.accessMode,
    reviewers: queueSettings.reviewers,
    blind: queueSettings.blind,
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one setting to change');
export type UpdateQueueBody = z.infer<typeof UpdateQueueBody>;

export const ListQueuesQuery = z.object({ status: z.enum(['active', 'archived', 'all']).default('active') });

export interface QueueResponse {
  id: string;
  name: string;
  description: string;
  guidelines: string;
  schemaId: string;
  schemaVersion: number;
  reviewersPerItem: number;
  leaseSeconds: number;
  accessMode: 'project' | 'assigned';
  reviewers: string[];
  blind: boolean;
  status: 'active' | 'archived';
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

export const AddItemsBody = z.object({
  traceIds: z
    .array(TraceId)
    .min(1, 'send at least one trace id')
    .max(MAX_ITEMS_PER_REQUEST, `at most ${MAX_ITEMS_PER_REQUEST} trace ids per request`),
  /** Re-add traces that someone removed before (otherwise they stay out, as for automations). */
  restore: z.boolean().default(false),
});
export type AddItemsBody = z.infer<typeof AddItemsBody>;

/** What happened to each trace id of an add, as lists of trace ids. */
export interface AddItemsResponse {
  added: string[];
  /** Already in the queue. */
  existing: string[];
  /** Removed from the queue before, so not added back. */
  removed: string[];
  /** No such trace in this project. */
  notFound: string[];
}

export const ItemStatus = z.enum(['open', 'in_progress', 'done', 'removed']);
export type ItemStatus = z.infer<typeof ItemStatus>;

export const ListItemsQuery = z.object({
  status: ItemStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().regex(/^\d+$/, 'not a cursor from this list').optional(),
});
export type ListItemsQuery = z.infer<typeof ListItemsQuery>;

export interface QueueItem {
  itemId: string;
  traceId: string;
  /** `in_progress`: someone holds it or some (not all) of its reviews are in. */
  status: ItemStatus;
  reviewsDone: number;
  reviewsNeeded: number;
  /** Reviewers holding it now. */
  leased: number;
  addedAt: string;
  removedAt: string | null;
  source: { ruleId: string; ruleVersion: number } | null;
}

export const ReviewBody = z.object({
  values: z.record(z.string(), z.unknown()),
  notes: z.string().max(MAX_NOTES_LENGTH).nullish(),
});
export type ReviewBody = z.infer<typeof ReviewBody>;

export const SkipBody = z.object({ reason: z.string().trim().min(1, 'say why you skip it').max(1000) });

/** One reviewer's work on one item. */
export interface ReviewState {
  reviewerId: string;
  reviewerName: string;
  status: 'leased' | 'released' | 'submitted' | 'skipped';
  /** The draft while leased or released, the submission once submitted. */
  values: LabelValues | null;
  notes: string | null;
  schemaVersion: number | null;
  leaseExpiresAt: string | null;
  skipReason: string | null;
  submittedAt: string | null;
  updatedAt: string;
  revision: number;
}

/** The answer to a claim: the item to review now, or null when nothing is left for this reviewer. */
export interface ClaimResponse {
  item: { itemId: string; traceId: string; slot: number; leaseExpiresAt: string; review: ReviewState } | null;
}

export interface Progress {
  total: number;
  done: number;
  inProgress: number;
  remaining: number;
  removed: number;
  reviewsNeeded: number;
  reviewsSubmitted: number;
}

export interface ReviewerProgress {
  reviewerId: string;
  reviewerName: string;
  submitted: number;
  skipped: number;
  /** Items this reviewer holds right now. */
  leased: number;
  lastActiveAt: string;
}

export interface ProgressResponse extends Progress {
  reviewers: ReviewerProgress[];
}

/** `GET /queues/:queueId/items/:itemId`: everything a reviewer needs on one screen. */
export interface ItemContextResponse<Trace = unknown> {
  queue: { id: string; name: string; guidelines: string; blind: boolean; schemaId: string; schemaVersion: number; fields: LabelField[] };
  item: QueueItem;
  /** The caller's draft or submission, if any. */
  review: ReviewState | null;
  /** Same shape as `GET /api/v1/traces/:traceId`; evaluations are emptied while `hidden`. */
  trace: Trace;
  /** Other reviewers' submissions; null while `hidden`. */
  otherReviews: ReviewState[] | null;
  /** True in a blind queue until the caller has submitted: evaluations and others' labels are withheld. */
  hidden: boolean;
}

export const ExportQuery = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl') });
