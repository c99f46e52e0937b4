import { getRedactionConfig } from '../data/projects';
import { getDb } from '../db/client';
import { RedactionConfig } from '../schemas/projects';
import { compileRedaction, type Redactor } from './redact';

/**
 * How long an isolate reuses a project's compiled redaction rules. A change saved through the API
 * applies at once in the isolate that saved it and within this long everywhere else, the same
 * window as API-key lookups (worker/middleware/auth.ts).
 */
export const REDACTION_CACHE_MS = 30_000;

const cache = new Map<string, { redactor: Redactor; until: number }>();

/**
 * The project's compiled redaction rules: one D1 read per project and isolate every 30 s, and the
 * regexes compiled once per read rather than per request. A project without a row (deleted
 * mid-flight) gets the defaults, never no redaction.
 */
export async function projectRedactor(d1: D1Database, projectId: string, now = Date.now()): Promise<Redactor> {
  const hit = cache.get(projectId);
  if (hit && hit.until > now) return hit.redactor;
  const config = (await getRedactionConfig(getDb(d1), { projectId })) ?? RedactionConfig.parse({});
  const redactor = compileRedaction(config);
  if (cache.size > 10_000) cache.clear();
  cache.set(projectId, { redactor, until: now + REDACTION_CACHE_MS });
  return redactor;
}

/** Drops the cached rules of a project, so its next ingest in this isolate reads the new ones. */
export function forgetRedactor(projectId: string): void {
  cache.delete(projectId);
}
