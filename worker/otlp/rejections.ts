import { MAX_REJECTION_MESSAGES } from './limits';
import type { RejectedSpans } from './types';

export function emptyRejections(): RejectedSpans {
  return { count: 0, messages: [] };
}

/**
 * Counts `count` rejected spans under `reason`. Reasons are deduplicated and capped so a
 * batch of ten thousand bad spans still yields a short partial_success message.
 */
export function addRejection(rejected: RejectedSpans, reason: string, count = 1): void {
  if (count <= 0) return;
  rejected.count += count;
  const message = reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
  if (rejected.messages.length < MAX_REJECTION_MESSAGES && !rejected.messages.includes(message)) {
    rejected.messages.push(message);
  }
}
