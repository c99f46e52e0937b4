import type { Role, Scope } from '../schemas/common';

/** What a live review socket was opened with, re-checked before every command it sends. */
export type LiveCredential = { kind: 'session'; tokenHash: string; userId: string } | { kind: 'key'; keyId: string };

/**
 * What the credential still allows in the project: `signed_out` when the session ended (sign-out,
 * sign-out everywhere, password change elsewhere, expiry) or the key was revoked; otherwise the role
 * (null when no longer a member) or the key's scopes. One read of the control database.
 */
export async function liveAccess(
  db: D1Database,
  { projectId, credential, now }: { projectId: string; credential: LiveCredential; now: number },
): Promise<{ state: 'signed_out' } | { state: 'member'; role: Role | null } | { state: 'key'; scopes: Scope[] }> {
  if (credential.kind === 'key') {
    const row = await db
      .prepare(`SELECT scopes FROM api_keys WHERE id = ?1 AND project_id = ?2 AND revoked_at IS NULL`)
      .bind(credential.keyId, projectId)
      .first<{ scopes: string }>();
    return row ? { state: 'key', scopes: JSON.parse(row.scopes) as Scope[] } : { state: 'signed_out' };
  }
  const row = await db
    .prepare(
      `SELECT m.role AS role FROM sessions s
       LEFT JOIN memberships m ON m.user_id = s.user_id AND m.project_id = ?2
       WHERE s.token_hash = ?1 AND s.user_id = ?3 AND s.expires_at > ?4`,
    )
    .bind(credential.tokenHash, projectId, credential.userId, now)
    .first<{ role: Role | null }>();
  return row ? { state: 'member', role: row.role } : { state: 'signed_out' };
}

/** Ids of the active queues in the given projects: the objects to tell when someone's access changes. */
export async function queueIdsOfProjects(db: D1Database, projectIds: string[]): Promise<string[]> {
  if (!projectIds.length) return [];
  const ids: string[] = [];
  for (let i = 0; i < projectIds.length; i += 90) {
    const part = projectIds.slice(i, i + 90);
    const { results } = await db
      .prepare(`SELECT id FROM annotation_queues WHERE status = 'active' AND project_id IN (${part.map(() => '?').join(',')})`)
      .bind(...part)
      .all<{ id: string }>();
    ids.push(...results.map((r) => r.id));
  }
  return ids;
}

/** The projects a user belongs to (before a sign-out, to find the queues they may have open). */
export async function projectIdsOfUser(db: D1Database, userId: string): Promise<string[]> {
  const { results } = await db.prepare(`SELECT project_id FROM memberships WHERE user_id = ?`).bind(userId).all<{ project_id: string }>();
  return results.map((r) => r.project_id);
}
