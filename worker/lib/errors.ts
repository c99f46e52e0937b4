import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error a client can act on; `app.onError` turns it into `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class BadRequest extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}
export class Unauthorized extends HttpError {
  constructor(message = 'Sign in or send a valid API key.') {
    super(401, 'unauthorized', message);
  }
}
export class Forbidden extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}
export class NotFound extends HttpError {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found.`);
  }
}
export class Conflict extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, 'conflict', message, details);
  }
}
/** A link or token that existed but can no longer be used (an invite used or expired). */
export class Gone extends HttpError {
  constructor(message: string) {
    super(410, 'gone', message);
  }
}
export class PayloadTooLarge extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `The body is over the ${limitBytes} byte limit.`, { limitBytes });
  }
}
export class UnsupportedMediaType extends HttpError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
export class Unprocessable extends HttpError {
  constructor(message: string, details?: unknown) {
    super(422, 'unprocessable', message, details);
  }
}
export class TooManyRequests extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'too_many_requests', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class ServiceUnavailable extends HttpError {
  constructor(message: string, retryAfterSeconds = 5) {
    super(503, 'unavailable', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** A write that hit a UNIQUE constraint: a client-supplied id (or other unique value) that is already taken. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && /UNIQUE constraint failed|SQLITE_CONSTRAINT_(?:PRIMARYKEY|UNIQUE)/.test(e.message)) return true;
  }
  return false;
}

/** The one answer for a taken id, whether this project or another holds it: nothing about other projects leaks. */
export const idTaken = (what: string) => new Conflict(`That ${what} id is already taken; choose another or leave it out to get a generated one.`);

/**
 * A failure of storage that a retry may not meet (D1, R2, a Queue or a Durable Object briefly down or
 * overloaded, or an injected fault): answered 503 with Retry-After, never a bare 500. SQL mistakes
 * (SQLITE_ERROR) and constraint violations are not transient and are excluded.
 */
export function isTransientStorageError(err: unknown): boolean {
  if (!(err instanceof Error) || isUniqueViolation(err)) return false;
  const text = `${err.name} ${err.message} ${err.cause instanceof Error ? err.cause.message : ''}`;
  if (/SQLITE_ERROR|SQLITE_CONSTRAINT|SQLITE_MISMATCH/.test(text)) return false;
  return /InjectedFault|SIEVE_FAULTS|D1_(?:ERROR|EXEC_ERROR|RESET)|D1 DB|SQLITE_BUSY|SQLITE_IOERR|Network connection lost|overloaded|storage|Durable Object|R2 |internal error|timed out|reset because/i.test(text);
}
