import { z } from 'zod';
import { MAX_TIME_MS, MIN_TIME_MS } from '../lib/time';

/** Every non-OTLP error body. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A page of a list: `nextCursor` is opaque and null on the last page. `partial`: the request's work
 * budget ended the page before it was full (a text search); `nextCursor` looks further.
 */
export type Page<T> = { data: T[]; nextCursor: string | null; partial?: boolean };

const BoundedMs = z
  .number()
  .int()
  .min(MIN_TIME_MS, 'a time must be 1970-01-01 or later')
  .max(MAX_TIME_MS, 'a time must be before the year 10000');

/** Epoch milliseconds or an ISO-8601 string on input, within 1970–9999; always epoch ms after parsing. */
export const TimeInput = z.union([z.coerce.number().pipe(BoundedMs), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)).pipe(BoundedMs)]);

export const Role = z.enum(['admin', 'reviewer', 'viewer']);
export type Role = z.infer<typeof Role>;

export const Scope = z.enum(['ingest', 'read', 'admin']);
export type Scope = z.infer<typeof Scope>;
