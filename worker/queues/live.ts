import type { PresenceEntry, ServerMessage } from '../schemas/queue-live';
import type { Progress, ReviewerProgress } from '../schemas/queues';
import { LEASE_HOLDERS, PROGRESS, REVIEWER_PROGRESS, type ItemRow } from './queue-sql';
import { toQueueItem } from './queue-views';
import type { LiveGrant } from './live-access';
import type { ItemChange, QueueConfig } from './types';

/** What each live socket carries across hibernation (`serializeAttachment`). */
export interface SocketInfo extends Partial<LiveGrant> {
  reviewerId: string;
  reviewerName: string;
  connectedAt: number;
}

/** The header through which the Worker names the authenticated reviewer of a live connection. */
export const REVIEWER_HEADER = 'x-sieve-reviewer';
/** The header carrying the credential (session or key) and project the connection was opened with. */
export const GRANT_HEADER = 'x-sieve-grant';

/** Above this many changes in one command (bulk adds), sockets get the new progress only. */
const MAX_ITEM_MESSAGES = 50;

export function send(ws: WebSocket, msg: ServerMessage): void {
  try {
    ws.send(JSON.stringify(msg));
  } catch {
    // A socket closing under us: its close handler updates presence.
  }
}

export function broadcast(sockets: WebSocket[], msg: ServerMessage): void {
  if (!sockets.length) return;
  const frame = JSON.stringify(msg);
  for (const ws of sockets) {
    try {
      ws.send(frame);
    } catch {
      // as above
    }
  }
}

export function progress(sql: SqlStorage, cfg: Pick<QueueConfig, 'reviewersPerItem'>): Progress {
  const r = sql.exec<{ total: number; done: number; in_progress: number; removed: number; reviews_submitted: number }>(PROGRESS, cfg.reviewersPerItem).one();
  return {
    total: r.total,
    done: r.done,
    inProgress: r.in_progress,
    remaining: r.total - r.done,
    removed: r.removed,
    reviewsNeeded: r.total * cfg.reviewersPerItem,
    reviewsSubmitted: r.reviews_submitted,
  };
}

export function reviewerProgress(sql: SqlStorage): ReviewerProgress[] {
  return sql
    .exec<{ reviewer_id: string; reviewer_name: string; submitted: number; skipped: number; leased: number; last_active_at: number }>(REVIEWER_PROGRESS)
    .toArray()
    .map((r) => ({
      reviewerId: r.reviewer_id,
      reviewerName: r.reviewer_name,
      submitted: r.submitted,
      skipped: r.skipped,
      leased: r.leased,
      lastActiveAt: new Date(r.last_active_at).toISOString(),
    }));
}

/** Who is here (open sockets) and who holds items (sockets or plain HTTP), one entry per reviewer. */
export function presence(sql: SqlStorage, sockets: WebSocket[]): PresenceEntry[] {
  const byId = new Map<string, PresenceEntry>();
  const entry = (reviewerId: string, reviewerName: string) => {
    let e = byId.get(reviewerId);
    if (!e) byId.set(reviewerId, (e = { reviewerId, reviewerName, connections: 0, itemIds: [] }));
    return e;
  };
  for (const ws of sockets) {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (info) entry(info.reviewerId, info.reviewerName).connections++;
  }
  for (const h of sql.exec<{ reviewer_id: string; reviewer_name: string; trace_id: string }>(LEASE_HOLDERS)) {
    entry(h.reviewer_id, h.reviewer_name).itemIds.push(h.trace_id);
  }
  return [...byId.values()].sort((a, b) => a.reviewerName.localeCompare(b.reviewerName) || a.reviewerId.localeCompare(b.reviewerId));
}

/** Item changes, then progress, then presence when leases moved; nothing is computed without listeners. */
export function publishChanges(sql: SqlStorage, sockets: WebSocket[], cfg: QueueConfig, changes: ItemChange[]): void {
  if (!sockets.length || !changes.length) return;
  if (changes.length <= MAX_ITEM_MESSAGES) {
    for (const ch of changes) {
      const item = sql.exec<ItemRow & Record<string, SqlStorageValue>>(`SELECT * FROM items WHERE trace_id = ?`, ch.traceId).toArray()[0];
      if (!item) continue;
      const view = toQueueItem(item, cfg.reviewersPerItem);
      broadcast(sockets, {
        type: 'item',
        itemId: ch.traceId,
        event: ch.event,
        status: view.status,
        reviewsDone: view.reviewsDone,
        reviewsNeeded: view.reviewsNeeded,
        leased: view.leased,
        ...(ch.reviewerId ? { reviewerId: ch.reviewerId } : {}),
      });
    }
  }
  broadcast(sockets, { type: 'progress', progress: progress(sql, cfg) });
  if (changes.some((c) => c.event !== 'added' && c.event !== 'edited')) broadcast(sockets, { type: 'presence', presence: presence(sql, sockets) });
}
