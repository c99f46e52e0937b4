/**
 * A token bucket per project in this isolate: a cheap first line against a runaway sender.
 * Cloudflare spreads load over many isolates, so the limit is per isolate, not global.
 */
const buckets = new Map<string, { tokens: number; at: number }>();

/** Seconds to wait before retrying, or 0 when the request may proceed. */
export function throttle(projectId: string, ratePerSecond: number, now = Date.now()): number {
  if (!(ratePerSecond > 0)) return 0;
  const burst = ratePerSecond * 2;
  const b = buckets.get(projectId) ?? { tokens: burst, at: now };
  b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
  b.at = now;
  buckets.set(projectId, b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return Math.max(1, Math.ceil((1 - b.tokens) / ratePerSecond));
}
