import type { ErrorHandler } from 'hono';
import { ZodError } from 'zod';
import { HttpError } from './errors';

/** Maps thrown errors to `{ error: { code, message, details } }`; unknown errors become a logged 500. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof HttpError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status);
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = details[0];
    const message = first ? `Invalid ${first.path || 'input'}: ${first.message}` : 'Invalid input.';
    return c.json({ error: { code: 'invalid_request', message, details } }, 400);
  }
  console.error(JSON.stringify({ level: 'error', msg: 'unhandled', path: c.req.path, error: String(err), stack: (err as Error)?.stack }));
  return c.json({ error: { code: 'internal', message: 'Something went wrong on our side. It has been logged.' } }, 500);
};
