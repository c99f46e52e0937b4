import { z } from 'zod';

/** The operations page's contract: this project's ingest rate, queue backlog, dead letters, automation errors. Client-safe. */

export const OpsRange = z.enum(['hour', 'day']);
export type OpsRange = z.infer<typeof OpsRange>;

export const OpsStatusQuery = z.object({ range: OpsRange.default('hour') });
export type OpsStatusQuery = z.infer<typeof OpsStatusQuery>;

const IngestNumbers = z.object({
  requests: z.number(),
  /** Requests answered 4xx/5xx after authentication. */
  failed: z.number(),
  spansAccepted: z.number(),
  spansRejected: z.number(),
  /** Request bodies after decompression. */
  bytes: z.number(),
});
export type IngestNumbers = z.infer<typeof IngestNumbers>;

export const IngestPoint = IngestNumbers.extend({ bucket: z.string() });
export type IngestPoint = z.infer<typeof IngestPoint>;

export const DeadLetterView = z.object({
  id: z.string(),
  queue: z.string(),
  /** The message's `type` when its body names one. */
  type: z.string().nullable(),
  /** Deliveries on the dead-letter queue (the original queue's retries are not reported). */
  attempts: z.number(),
  receivedAt: z.string(),
  preview: z.string(),
  truncated: z.boolean(),
});
export type DeadLetterView = z.infer<typeof DeadLetterView>;

export const AutomationErrorsView = z.object({
  ruleId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  deleted: z.boolean(),
  errors24h: z.number(),
  errors7d: z.number(),
  /** Start of the latest hour with an error. */
  lastErrorHour: z.string().nullable(),
});
export type AutomationErrorsView = z.infer<typeof AutomationErrorsView>;

export const OpsStatusResponse = z.object({
  generatedAt: z.string(),
  range: OpsRange,
  bucketMinutes: z.number(),
  /** Counters are flushed from each isolate at most this often; the newest seconds may still be in memory. */
  flushEverySeconds: z.number(),
  /** INGEST_MODE: `queued` acknowledges OTLP requests once on the Queue and stores them about a second later. */
  ingestMode: z.enum(['direct', 'queued']),
  ingest: z.object({ series: z.array(IngestPoint), totals: IngestNumbers }),
  queue: z.object({
    windowHours: z.number(),
    enqueued: z.number(),
    consumed: z.number(),
    retried: z.number(),
    deadLettered: z.number(),
    /** Enqueued − consumed − dead-lettered in the window, floored at 0: an estimate, not the Queue's depth. */
    backlogEstimate: z.number(),
  }),
  deadLetters: z.object({ count: z.number(), latest: z.array(DeadLetterView) }),
  automationErrors: z.array(AutomationErrorsView),
  /** The data shard (D1 database) holding this project: 'DB' is the control database (a project from before shards). */
  storage: z.object({
    shard: z.string(),
    location: z.string(),
    /** Projects on the same shard, this one included. */
    projects: z.number(),
    /** The shard's size as D1 reports it; null when unknown. */
    bytes: z.number().nullable(),
    /** D1's maximum database size. */
    limitBytes: z.number(),
    /** At 80 % of the limit or more: time for retention, or to move a project (README, "Shards"). */
    nearLimit: z.boolean(),
  }),
});
export type OpsStatusResponse = z.infer<typeof OpsStatusResponse>;

export const ReplayResponse = z.object({ replayed: z.string(), type: z.string() });
export type ReplayResponse = z.infer<typeof ReplayResponse>;
