/** A `next` parameter that is safe to redirect to: a path on this origin, never `//host` or a URL. */
export function safeNext(next: string | null | undefined, fallback = '/traces'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/login') || next.startsWith('/logout')) return fallback;
  return next;
}
