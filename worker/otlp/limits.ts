/** Attribute string values (and base64 bytes) longer than this are cut, with a marker saying how much went. */
export const MAX_ATTRIBUTE_CHARS = 1_000_000;

/** Arrays and key-value lists nested deeper than this are replaced by MAX_DEPTH_MARKER. */
export const MAX_ATTRIBUTE_DEPTH = 32;
export const MAX_DEPTH_MARKER = '[max depth]';

/** Span and event names longer than this are cut; a name is a label, not a payload. */
export const MAX_SPAN_NAME_CHARS = 1024;

/** How many distinct rejection reasons a response carries; the count is always exact. */
export const MAX_REJECTION_MESSAGES = 5;

/**
 * Cuts `value` to at most `max` UTF-16 units and appends "…[truncated N chars]".
 * Never splits a surrogate pair, so the result is still valid UTF-16.
 */
export function truncateString(value: string, max = MAX_ATTRIBUTE_CHARS): string {
  if (value.length <= max) return value;
  // Idempotent: a value cut before (stored spans are decoded again when read) keeps its one marker.
  const marked = TRUNCATED.exec(value.slice(-40));
  if (marked && value.length - marked[0].length <= max) return value;
  const end = safeCut(value, max);
  return `${value.slice(0, end)}…[truncated ${value.length - end} chars]`;
}

/** Cuts a name to at most MAX_SPAN_NAME_CHARS, ending in "…" when cut; names stay short labels. */
export function truncateName(value: string): string {
  if (value.length <= MAX_SPAN_NAME_CHARS) return value;
  return `${value.slice(0, safeCut(value, MAX_SPAN_NAME_CHARS - 1))}…`;
}

const TRUNCATED = /…\[truncated \d+ chars\]$/;

function safeCut(value: string, end: number): number {
  const code = value.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}
