import { z } from 'zod';
import { ItemStatus, MAX_NOTES_LENGTH } from './queues';

/**
 * The live protocol of `GET /api/v1/queues/:queueId/live` (a WebSocket): one discriminated union on
 * `type`, JSON text frames, shared by the queue's Durable Object and the app.
 *
 * Server → client: `hello` on connect, then `progress`, `presence` and `item` whenever they change;
 * `result` answers a command by its `requestId`; `error` for a frame the server cannot use.
 * Client → server: `ping` (answered `pong` without waking the object), and the same commands as the
 * HTTP API — `claim`, `release`, `skip`, `draft`, `submit` (a second `submit` edits one's submission).
 * Messages never carry label values of others, so blind queues can share one broadcast.
 */

const ProgressMsg = z.object({
  total: z.number(),
  done: z.number(),
  inProgress: z.number(),
  remaining: z.number(),
  removed: z.number(),
  reviewsNeeded: z.number(),
  reviewsSubmitted: z.number(),
});

const PresenceEntry = z.object({
  reviewerId: z.string(),
  reviewerName: z.string(),
  /** Open connections (tabs); 0 for someone working over plain HTTP. */
  connections: z.number(),
  /** Items this reviewer holds now. */
  itemIds: z.array(z.string()),
});

const ItemEvent = z.enum(['added', 'claimed', 'released', 'expired', 'skipped', 'submitted', 'edited', 'removed']);

const requestId = z.string().max(64);
const itemId = z.string().regex(/^[0-9a-f]{32}$/);

export const QueueLiveMessage = z.discriminatedUnion('type', [
  // server → client
  z.object({ type: z.literal('hello'), queueId: z.string(), reviewerId: z.string(), progress: ProgressMsg, presence: z.array(PresenceEntry) }),
  z.object({ type: z.literal('progress'), progress: ProgressMsg }),
  z.object({ type: z.literal('presence'), presence: z.array(PresenceEntry) }),
  z.object({
    type: z.literal('item'),
    itemId: z.string(),
    event: ItemEvent,
    status: ItemStatus,
    reviewsDone: z.number(),
    reviewsNeeded: z.number(),
    leased: z.number(),
    /** Who caused the change; absent for expiry and for bulk adds. */
    reviewerId: z.string().optional(),
  }),
  z.object({
    type: z.literal('result'),
    requestId,
    ok: z.boolean(),
    /** The same body the HTTP API answers with, when ok. */
    data: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('pong') }),
  // client → server
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('claim'), requestId }),
  z.object({ type: z.literal('release'), requestId, itemId }),
  z.object({ type: z.literal('skip'), requestId, itemId, reason: z.string().trim().min(1).max(1000) }),
  z.object({
    type: z.literal('draft'),
    requestId,
    itemId,
    values: z.record(z.string(), z.unknown()),
    notes: z.string().max(MAX_NOTES_LENGTH).nullish(),
  }),
  z.object({
    type: z.literal('submit'),
    requestId,
    itemId,
    values: z.record(z.string(), z.unknown()),
    notes: z.string().max(MAX_NOTES_LENGTH).nullish(),
  }),
]);
export type QueueLiveMessage = z.infer<typeof QueueLiveMessage>;

type ClientType = 'ping' | 'claim' | 'release' | 'skip' | 'draft' | 'submit';
/** What a client may send. */
export type ClientMessage = Extract<QueueLiveMessage, { type: ClientType }>;
/** What the server sends. */
export type ServerMessage = Exclude<QueueLiveMessage, { type: ClientType }>;
export const CLIENT_TYPES: readonly ClientType[] = ['ping', 'claim', 'release', 'skip', 'draft', 'submit'];
export type LiveProgress = z.infer<typeof ProgressMsg>;
export type PresenceEntry = z.infer<typeof PresenceEntry>;
export type ItemEvent = z.infer<typeof ItemEvent>;

/** The exact frame the server answers `{"type":"pong"}` to without waking the Durable Object. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/**
 * Close codes of a live socket whose rights ended: the session or key was ended (sign-out, sign-out
 * everywhere, password change, revoked key), or the person's access changed (removed from the
 * project, role lowered, no longer assigned, queue archived). Clients stop reconnecting on these.
 */
export const LIVE_CLOSE_SIGNED_OUT = 4401;
export const LIVE_CLOSE_ACCESS_CHANGED = 4403;
