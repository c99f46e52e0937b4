import { liveAccess, type LiveCredential } from '../data/live-access';
import { LIVE_CLOSE_ACCESS_CHANGED as CLOSE_ACCESS_CHANGED, LIVE_CLOSE_SIGNED_OUT as CLOSE_SIGNED_OUT } from '../schemas/queue-live';
import type { QueueConfig } from './types';
/** A socket opened before sockets carried their credential: closed so the client reconnects afresh. */
export const CLOSE_RECONNECT = 1012;

export type LiveVerdict = 'ok' | 'signed_out' | 'access_changed' | 'reconnect';

export interface LiveGrant {
  projectId: string;
  reviewerId: string;
  credential: LiveCredential;
}

/**
 * Whether a socket may still change the queue: its session or key is live, the person is still a
 * member who may review (or the key still has admin scope), and an assigned queue still lists them.
 * Throws when the control database cannot answer (the caller reports it as retryable).
 */
export async function checkGrant(db: D1Database, grant: Partial<LiveGrant> | null, cfg: QueueConfig, now: number): Promise<LiveVerdict> {
  if (!grant?.credential || !grant.projectId || !grant.reviewerId) return 'reconnect';
  if (grant.projectId !== cfg.projectId || cfg.status === 'archived') return 'access_changed';
  const access = await liveAccess(db, { projectId: grant.projectId, credential: grant.credential, now });
  if (access.state === 'signed_out') return 'signed_out';
  const mayReview = access.state === 'key' ? access.scopes.includes('admin') : access.role === 'admin' || access.role === 'reviewer';
  if (!mayReview) return 'access_changed';
  if (cfg.accessMode === 'assigned' && !(cfg.reviewers ?? []).includes(grant.reviewerId)) return 'access_changed';
  return 'ok';
}

export const CLOSE_FOR: Record<Exclude<LiveVerdict, 'ok'>, { code: number; reason: string; message: string }> = {
  signed_out: { code: CLOSE_SIGNED_OUT, reason: 'signed_out', message: 'You were signed out. Sign in again to keep reviewing.' },
  access_changed: { code: CLOSE_ACCESS_CHANGED, reason: 'access_changed', message: 'Your access to this queue changed.' },
  reconnect: { code: CLOSE_RECONNECT, reason: 'reconnect', message: 'Reconnect to continue.' },
};
