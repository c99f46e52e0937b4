import { Hono } from 'hono';
import type { z } from 'zod';
import { ServiceUnavailable } from '../lib/errors';
import { jsonBody } from '../lib/validate';
import { authenticate, requireAccess, type AppEnv } from '../middleware/auth';
import { projectRedactor } from '../ingest/redaction-cache';
import type { Redactor } from '../ingest/redact';
import { enqueueTouched } from '../queue/producer';
import { SignalBatch, type ItemResult } from '../schemas/signals';
import { batchResponse, validateItems } from './batch';

type Row = [id: string, traceId: string, ...rest: unknown[]];

/**
 * A `POST` endpoint for a batch of late signals: validate each item, store the valid ones and
 * refresh their traces in one transaction, re-enqueue the traces, and answer per item.
 */
export function signalEndpoint<S extends z.ZodType<{ id?: string }>, R extends Row>(opts: {
  schema: S;
  table: 'evaluations' | 'feedback';
  toRow: (item: z.infer<S>, now: number) => R;
  /**
   * The item with its free text (a feedback comment, a judge's explanation) passed through the project's
   * redaction rules, which OTLP ingest applies to spans: end users type emails and card numbers into comments.
   */
  redact: (item: z.infer<S>, redactor: Redactor) => z.infer<S>;
  /** Stores the rows; returns the id each one ended up with (an update keeps the stored id). */
  store: (d1: D1Database, projectId: string, rows: R[]) => Promise<string[]>;
}) {
  return new Hono<AppEnv>().post('/', authenticate, requireAccess('ingest'), async (c) => {
    const { items } = await jsonBody(c, SignalBatch);
    const projectId = c.get('projectId');
    const { valid, rejected } = validateItems(items, opts.schema);
    const now = Date.now();
    let ids: string[];
    let rows: R[];
    try {
      const redactor = valid.length ? await projectRedactor(c.env.DB, projectId) : null;
      rows = valid.map(({ item }) => opts.toRow(redactor && !redactor.noop ? opts.redact(item, redactor) : item, now));
      ids = await opts.store(c.get('shard'), projectId, rows);
      await enqueueTouched(c.env, projectId, rows.map((r) => r[1]));
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', msg: `storing ${opts.table} failed`, error: String(err) }));
      throw new ServiceUnavailable('Storage is unavailable right now; retry this batch.');
    }
    const stored: ItemResult[] = valid.map(({ index }, i) => ({ index, status: 'stored', id: ids[i] }));
    return c.json(batchResponse(stored, rejected));
  });
}
