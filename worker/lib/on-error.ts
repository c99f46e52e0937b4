import type { ErrorHandler } from 'hono';
import { ZodError } from 'zod';
import type { AppEnv } from '../middleware/auth';
import { log } from '../ops/log';
import { HttpError, isTransientStorageError, isUniqueViolation } from './errors';

/**
 * Maps thrown errors to `{ error: { code, message, details, requestId } }`; unknown errors become a
 * logged 500. The request id lets a user quote the failure and an operator find its log lines.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get('requestId');
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json({ error: { code: err.code, message: err.message, details: err.details, requestId } }, err.status);
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    // zod's own messages already start "Invalid input: …"; only a path adds anything.
    const message = !first ? 'Invalid input.' : first.path ? `Invalid ${first.path}: ${first.message}` : first.message;
    return c.json({ error: { code: 'invalid_request', message, details, requestId } }, 400);
  }
  if (isUniqueViolation(err)) {
    return c.json({ error: { code: 'conflict', message: 'That id (or another unique value) is already taken; choose another.', requestId } }, 409);
  }
  if (isTransientStorageError(err)) {
    log.warn('storage unavailable', { method: c.req.method, path: c.req.path, error: err });
    c.header('Retry-After', '2');
    return c.json({ error: { code: 'unavailable', message: 'Storage is briefly unavailable; retry in a moment.', details: { retryAfterSeconds: 2 }, requestId } }, 503);
  }
  log.error('unhandled', { method: c.req.method, error: err });
  return c.json({ error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.', requestId } }, 500);
};
