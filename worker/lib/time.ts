/** The times Sieve stores and renders: 1970-01-01 through 9999-12-31 (what `Date` and ISO-8601 handle). */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Epoch milliseconds as the ISO-8601 string every response uses. Inputs are bounded at every entry
 * point; a value stored before that (or by hand) is clamped here rather than failing the whole read.
 */
export const iso = (ms: number): string => new Date(Number.isFinite(ms) ? Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, ms)) : MIN_TIME_MS).toISOString();

export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
