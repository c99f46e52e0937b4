import type { LabelField } from '../schemas/label-schemas';
import type { ItemEvent } from '../schemas/queue-live';

/**
 * What the queue's Durable Object needs to know about its queue. The Worker sends it with every
 * command (it reads the queue from D1 anyway), so D1 stays the source of the settings; the object
 * keeps the last copy for WebSocket commands and alarms.
 */
export interface QueueConfig {
  queueId: string;
  projectId: string;
  /** The queue row's `updated_at`: a copy older than the object's is ignored (requests race). */
  revision: number;
  status: 'active' | 'archived';
  reviewersPerItem: number;
  leaseSeconds: number;
  blind: boolean;
  schemaId: string;
  schemaVersion: number;
  fields: LabelField[];
  /** Who may review; absent in copies stored before sockets re-checked access (read as `project`). */
  accessMode?: 'project' | 'assigned';
  reviewers?: string[];
}

/** A reviewer as the Worker authenticated them: a user id, or `key:<id>` for an API key. */
export interface Reviewer {
  id: string;
  name: string;
}

/** Where an item came from, for items added by an automation. */
export interface ItemSource {
  ruleId: string;
  ruleVersion: number;
}

/** A change to one item, broadcast to the queue's live connections. */
export interface ItemChange {
  traceId: string;
  event: ItemEvent;
  reviewerId?: string;
}

export interface CommandError {
  status: 404 | 409 | 422;
  code: string;
  message: string;
  details?: unknown;
}

/** RPC results: errors travel as values, since thrown errors lose their status on the way back. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: CommandError };

/** Thrown inside the object by commands; turned into an `Outcome` at the RPC boundary. */
export class QueueCommandError extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
  }
}
