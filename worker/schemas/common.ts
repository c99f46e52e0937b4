import { z } from 'zod';

/** Every non-OTLP error body. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A page of a list: `nextCursor` is opaque and null on the last page. */
export type Page<T> = { data: T[]; nextCursor: string | null };

/** Epoch milliseconds or an ISO-8601 string on input; always epoch ms after parsing. */
export const TimeInput = z.union([
  z.coerce.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const Role = z.enum(['admin', 'reviewer', 'viewer']);
export type Role = z.infer<typeof Role>;

export const Scope = z.enum(['ingest', 'read', 'admin']);
export type Scope = z.infer<typeof Scope>;
