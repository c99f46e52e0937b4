import { and, desc, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { apiKeys, users } from '../db/schema';
import { randomToken, sha256Hex } from '../lib/crypto';
import { iso, isoOrNull } from '../lib/time';
import type { Scope } from '../schemas/common';
import type { ApiKeyResponse } from '../schemas/projects';

export const API_KEY_PREFIX = 'sieve_';
const VISIBLE_PREFIX_CHARS = 12;

export interface ResolvedKey {
  id: string;
  projectId: string;
  scopes: Scope[];
}

/** Finds an unrevoked key by its hash; null when unknown or revoked. */
export async function findActiveKey(db: Db, key: string): Promise<ResolvedKey | null> {
  const keyHash = await sha256Hex(key);
  const row = await db
    .select({ id: apiKeys.id, projectId: apiKeys.projectId, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get();
  return row ? { id: row.id, projectId: row.projectId, scopes: JSON.parse(row.scopes) as Scope[] } : null;
}

/** Records use at most once a minute per key, so ingest does not write on every request. */
export async function touchKey(db: Db, id: string, now = Date.now()): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - 60_000))));
}

/** Creates a key and returns it in full: the only time it is ever visible. */
export async function createKey(
  db: Db,
  input: { projectId: string; name: string; scopes: Scope[]; createdBy?: string | null; key?: string },
): Promise<{ id: string; key: string; prefix: string }> {
  const key = input.key ?? `${API_KEY_PREFIX}${randomToken(32)}`;
  const id = crypto.randomUUID();
  const prefix = key.slice(0, VISIBLE_PREFIX_CHARS);
  await db.insert(apiKeys).values({
    id,
    projectId: input.projectId,
    name: input.name,
    prefix,
    keyHash: await sha256Hex(key),
    scopes: JSON.stringify(input.scopes),
    createdBy: input.createdBy ?? null,
  });
  return { id, key, prefix };
}

/** A key as lists show it: never the key or its hash. */
async function selectKeys(db: Db, where: SQL | undefined): Promise<ApiKeyResponse[]> {
  const rows = await db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdBy: users.email,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(where)
    .orderBy(desc(apiKeys.createdAt), apiKeys.id)
    .all();
  return rows.map((r) => ({
    ...r,
    scopes: JSON.parse(r.scopes) as Scope[],
    createdAt: iso(r.createdAt),
    lastUsedAt: isoOrNull(r.lastUsedAt),
    revokedAt: isoOrNull(r.revokedAt),
  }));
}

/** Every key of the project, revoked ones included, newest first. */
export async function listKeys(db: Db, { projectId }: { projectId: string }): Promise<ApiKeyResponse[]> {
  return selectKeys(db, eq(apiKeys.projectId, projectId));
}

export async function findKey(db: Db, { projectId, keyId }: { projectId: string; keyId: string }): Promise<ApiKeyResponse | null> {
  const [row] = await selectKeys(db, and(eq(apiKeys.projectId, projectId), eq(apiKeys.id, keyId)));
  return row ?? null;
}

/** Revokes a key of the project (a second revoke keeps the first time); null when it is not the project's. */
export async function revokeKey(
  db: Db,
  { projectId, keyId, now = Date.now() }: { projectId: string; keyId: string; now?: number },
): Promise<ApiKeyResponse | null> {
  await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)));
  return findKey(db, { projectId, keyId });
}
