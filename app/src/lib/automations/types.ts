import type { Quota, RuleAction, RuleCondition, Sampling } from '$shared/automations';
import type { TraceSummary } from '$shared/traces';

/**
 * Response shapes of `/api/v1/automations`. The API builds them in worker/automations/views.ts
 * without a declared type in worker/schemas, so they are written down here once for the app.
 */

export interface RuleCounters {
  checked: number;
  matched: number;
  sampled: number;
  routed: number;
  overQuota: number;
  errors: number;
}

export interface RuleResponse {
  id: string;
  version: number;
  name: string;
  enabled: boolean;
  condition: RuleCondition;
  sampling: Sampling;
  actions: RuleAction[];
  quota: Quota | null;
  createdAt: string | null;
  updatedAt: string | null;
  lastRoutedTraceId: string | null;
  lastRoutedAt: string | null;
  last24h: RuleCounters;
}

/** One hour of a rule's counters; hours without activity are absent. */
export interface StatBucket extends RuleCounters {
  /** Start of the UTC hour, ISO. */
  bucket: string;
}

export type BackfillStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface BackfillJob {
  id: string;
  ruleId: string;
  from: string | null;
  to: string | null;
  status: BackfillStatus;
  scanned: number;
  matched: number;
  routed: number;
  error: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface RuleDetailResponse extends RuleResponse {
  stats: StatBucket[];
  backfills: BackfillJob[];
}

/**
 * `POST /automations/preview`: a dry run over the newest traces of the last `hours`. One request does a
 * bounded amount of work; `partial` answers carry a `cursor` that continues (send it back with the same
 * body). Counts are running totals over the cursors followed; `sample` is this answer's examples.
 */
export interface PreviewResponse {
  id: string;
  hours: number;
  from: string;
  to: string;
  scanned: number;
  /** Traces in the window; a lower bound when `totalIsLowerBound`. */
  total: number;
  totalIsLowerBound: boolean;
  matched: number;
  sampled: number;
  /** The request's budget ran out: the counts cover the newest `scanned` traces only. */
  partial: boolean;
  cursor: string | null;
  quota: Quota | null;
  sample: TraceSummary[];
}

/** A queue or dataset a rule can send traces to. */
export interface Target {
  id: string;
  name: string;
  /** Archived queues stay readable in old rules but are not offered for new ones. */
  archived?: boolean;
}
