import type { Context } from 'hono';
import type { z } from 'zod';
import { BadRequest } from './errors';

/** Parses the JSON body with `schema`; a ZodError becomes a 400 through onError. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new BadRequest('The body is not valid JSON.');
  }
  return schema.parse(body);
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return schema.parse(c.req.query());
}

export function params<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return schema.parse(c.req.param());
}
