import { and, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { deadLetters } from '../db/ops';

/** Post-ingest messages that exhausted their retries, per project (see the DLQ consumer in worker/queue/consumer.ts). */

export type DeadLetterRow = typeof deadLetters.$inferSelect;

/** D1 allows 100 bound parameters per statement; six per row. */
const ROWS_PER_STATEMENT = 16;
export const PREVIEW_CHARS = 300;

/** The project a message names, when its body is an object with a plausible `projectId`. */
export function projectOf(body: unknown): string | null {
  const id = body && typeof body === 'object' ? (body as { projectId?: unknown }).projectId : undefined;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

/** Stores dead letters; a redelivered message (same id) is stored once. */
export async function storeDeadLetters(db: Db, rows: DeadLetterRow[]): Promise<void> {
  if (!rows.length) return;
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    statements.push(db.insert(deadLetters).values(rows.slice(i, i + ROWS_PER_STATEMENT)).onConflictDoNothing());
  }
  await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
}

export interface DeadLetterSummary {
  id: string;
  queue: string;
  /** The message's `type`, when its body names one. */
  type: string | null;
  attempts: number;
  receivedAt: number;
  /** The first PREVIEW_CHARS characters of the JSON body. */
  preview: string;
  truncated: boolean;
}

/** The project's count and its latest `limit` dead letters, newest first, with a preview of each body. */
export async function latestDeadLetters(db: Db, projectId: string, limit = 20): Promise<{ count: number; latest: DeadLetterSummary[] }> {
  const [total, rows] = await Promise.all([
    db.select({ n: count() }).from(deadLetters).where(eq(deadLetters.projectId, projectId)).get(),
    db
      .select({
        id: deadLetters.id,
        queue: deadLetters.queue,
        type: sql<string | null>`case when json_valid(${deadLetters.body}) then json_extract(${deadLetters.body}, '$.type') end`,
        attempts: deadLetters.attempts,
        receivedAt: deadLetters.receivedAt,
        preview: sql<string>`substr(${deadLetters.body}, 1, ${PREVIEW_CHARS})`,
        length: sql<number>`length(${deadLetters.body})`,
      })
      .from(deadLetters)
      .where(eq(deadLetters.projectId, projectId))
      .orderBy(desc(deadLetters.receivedAt), desc(deadLetters.id))
      .limit(limit)
      .all(),
  ]);
  return {
    count: total?.n ?? 0,
    latest: rows.map(({ length, ...r }) => ({ ...r, truncated: length > PREVIEW_CHARS })),
  };
}

export async function findDeadLetter(db: Db, projectId: string, id: string): Promise<DeadLetterRow | null> {
  return (await db.select().from(deadLetters).where(and(eq(deadLetters.id, id), eq(deadLetters.projectId, projectId))).get()) ?? null;
}

/** Deletes and returns a dead letter; null when it is gone (another replay took it first). */
export async function takeDeadLetter(db: Db, projectId: string, id: string): Promise<DeadLetterRow | null> {
  const rows = await db.delete(deadLetters).where(and(eq(deadLetters.id, id), eq(deadLetters.projectId, projectId))).returning();
  return rows[0] ?? null;
}

/** Puts back a taken dead letter whose replay could not be sent. */
export async function restoreDeadLetter(db: Db, row: DeadLetterRow): Promise<void> {
  await db.insert(deadLetters).values(row).onConflictDoNothing();
}
