import type { Context } from 'hono';
import type { z } from 'zod';
import { readBody } from '../ingest/body';
import { BadRequest } from './errors';

/**
 * JSON bodies over this many bytes are refused (413) before they are read whole: a body near the
 * platform's 100 MB limit would exhaust an isolate's memory once parsed. As large as an import file.
 */
export const MAX_JSON_BODY_BYTES = 10 * 1024 * 1024;

/**
 * JSON bodies nested deeper than this are refused (400): zod's recursive schemas (`z.json()` for
 * record values) overflow the stack a few thousand levels down, which would be a 500. No real
 * payload comes near; OTLP/JSON stops at the same depth (protobuf-es's recursion limit).
 */
export const MAX_JSON_DEPTH = 100;

/** Parses the JSON body with `schema`; a ZodError becomes a 400 through onError. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = new TextDecoder().decode(await readBody(c.req.raw, MAX_JSON_BODY_BYTES));
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new BadRequest(`The body is nested more than ${MAX_JSON_DEPTH} levels deep.`, { maxDepth: MAX_JSON_DEPTH });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequest('The body is not valid JSON.');
  }
  return schema.parse(body);
}

/** Whether arrays and objects in JSON text nest deeper than `limit`; a scan, so no depth can overflow it. */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

export function query<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return schema.parse(c.req.query());
}

export function params<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return schema.parse(c.req.param());
}
