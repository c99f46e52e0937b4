import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, sha256Hex } from '../lib/crypto.ts';
import { LOCAL_DEFAULTS, type LocalConfig } from './config.ts';
import { localDatabases, run } from './wrangler.ts';

const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Seeds the demo project, its admin and its API key into the local control database, idempotently: a
 * restart keeps what exists, and applies a password or key given in the environment. A new demo
 * project lives on the first data shard; one made before shards existed stays where it is ('DB').
 */
export async function seedLocal(cfg: LocalConfig): Promise<void> {
  const { projectId, projectName } = LOCAL_DEFAULTS;
  const passwordHash = await hashPassword(cfg.adminPassword);
  const keyHash = await sha256Hex(cfg.demoApiKey);
  const onUserConflict = cfg.adminPasswordFromEnv ? 'DO UPDATE SET password_hash = excluded.password_hash' : 'DO NOTHING';
  const shard = localDatabases().find((d) => d.binding.startsWith('DB_SHARD_'))?.binding ?? 'DB';
  const sql = `
INSERT OR IGNORE INTO projects (id, name, retention_days, shard) VALUES (${q(projectId)}, ${q(projectName)}, 90, ${q(shard)});
INSERT INTO users (id, email, name, password_hash) VALUES (${q(crypto.randomUUID())}, ${q(cfg.adminEmail)}, 'Admin', ${q(passwordHash)})
  ON CONFLICT (email) ${onUserConflict};
INSERT OR IGNORE INTO memberships (project_id, user_id, role)
  SELECT ${q(projectId)}, id, 'admin' FROM users WHERE email = ${q(cfg.adminEmail)};
INSERT INTO api_keys (id, project_id, name, prefix, key_hash, scopes)
  VALUES ('demo-key', ${q(projectId)}, 'Demo key (local only)', ${q(cfg.demoApiKey.slice(0, 12))}, ${q(keyHash)}, '["ingest","read"]')
  ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, prefix = excluded.prefix, revoked_at = NULL;
`;
  const file = join(mkdtempSync(join(tmpdir(), 'sieve-seed-')), 'seed.sql');
  writeFileSync(file, sql);
  await run('wrangler', ['d1', 'execute', 'DB', '--local', '-c', 'wrangler.toml', '--persist-to', cfg.stateDir, '--file', file], {
    quiet: true,
  });
}
