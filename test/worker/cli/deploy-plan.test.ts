import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiDeployToml, d1Databases, deployedUrl, firstAdminSql, pagesToml, r2BucketNames, tableColumn } from '../../../worker/cli/deploy-plan.ts';
import { hashPassword } from '../../../worker/lib/crypto';
import { login } from '../helpers';

/** The shape of the repository's wrangler.toml, trimmed (CI's `check:deploy` runs the real file through wrangler). */
const TOML = `# Sieve API Worker
name = "sieve-api"
main = "worker/index.ts"
compatibility_date = "2026-11-01"

[vars]
# "development" locally
SIEVE_ENV = "development"
CF_ACCESS_AUD = ""

[[d1_databases]]
binding = "DB"
database_name = "sieve"
database_id = "00000000-0000-0000-0000-000000000000"
migrations_dir = "migrations"

[[d1_databases]]
binding = "DB_SHARD_0"
database_name = "sieve-shard-0"
database_id = "00000000-0000-0000-0000-000000000010"
migrations_dir = "migrations"

[[r2_buckets]]
binding = "PAYLOADS"
bucket_name = "sieve-payloads"
`;

const IDS = { DB: 'f00d-id', DB_SHARD_0: 'beef-id' };

describe('apiDeployToml', () => {
  it('puts in the real D1 id of every database, production and given vars, absolute paths, and no public URL', () => {
    const out = apiDeployToml(TOML, '/src/sieve', IDS, { CF_ACCESS_AUD: 'aud-1' });
    expect(out).toContain('binding = "DB"\ndatabase_name = "sieve"\ndatabase_id = "f00d-id"\nmigrations_dir = "/src/sieve/migrations"\n');
    expect(out).toContain('binding = "DB_SHARD_0"\ndatabase_name = "sieve-shard-0"\ndatabase_id = "beef-id"\nmigrations_dir = "/src/sieve/migrations"\n');
    expect(out).toContain('SIEVE_ENV = "production"');
    expect(out).toContain('CF_ACCESS_AUD = "aud-1"');
    expect(out).toContain('main = "/src/sieve/worker/index.ts"\nworkers_dev = false\npreview_urls = false\n');
    expect(out).toContain('migrations_dir = "/src/sieve/migrations"');
    expect(out).not.toContain('00000000-0000');
    expect(out).not.toContain('SIEVE_ENV = "development"');
  });

  it('refuses a config it cannot rewrite exactly, rather than deploying a half-edited one', () => {
    expect(() => apiDeployToml(TOML.replace(/^database_id.*$/m, ''), '/r', IDS)).toThrow(/exactly one database_id of DB, found 0/);
    expect(() => apiDeployToml(TOML.replace('migrations_dir = "migrations"\n', 'migrations_dir = "migrations"\ndatabase_id = "x"\n'), '/r', IDS)).toThrow(/database_id of DB, found 2/);
    expect(() => apiDeployToml(TOML, '/r', { DB: 'id' })).toThrow(/no D1 id given for binding DB_SHARD_0/);
    expect(() => apiDeployToml(TOML, '/r', { ...IDS, DB_SHARD_1: 'x' })).toThrow(/no \[\[d1_databases\]\] with binding DB_SHARD_1/);
    expect(() => apiDeployToml(TOML, '/r', IDS, { NOT_A_VAR: '1' })).toThrow(/\[vars\] NOT_A_VAR/);
    expect(() => apiDeployToml(TOML.replace('main =', 'workers_dev = true\nmain ='), '/r', IDS)).toThrow(/workers_dev/);
  });
});

describe('d1Databases', () => {
  it('lists the control database and the shards of a config, with names and ids', () => {
    expect(d1Databases(TOML)).toEqual([
      { binding: 'DB', databaseName: 'sieve', databaseId: '00000000-0000-0000-0000-000000000000' },
      { binding: 'DB_SHARD_0', databaseName: 'sieve-shard-0', databaseId: '00000000-0000-0000-0000-000000000010' },
    ]);
  });
});

describe('pagesToml', () => {
  it('names the build output and the service binding to the API Worker', () => {
    const out = pagesToml({ name: 'sieve-app', outputDir: '/src/app/.svelte-kit/cloudflare', compatibilityDate: '2026-11-01', compatibilityFlags: ['nodejs_compat'], services: [{ binding: 'API', service: 'sieve-api' }] });
    expect(out).toContain('pages_build_output_dir = "/src/app/.svelte-kit/cloudflare"\n');
    expect(out).toContain('compatibility_flags = ["nodejs_compat"]\n');
    expect(out).toContain('[[services]]\nbinding = "API"\nservice = "sieve-api"\n');
    expect(out).not.toMatch(/^main =/m);
  });
});

describe('parsing wrangler output', () => {
  // As `wrangler queues list` prints it (cli-table3, colours on).
  const grey = (s: string) => `\u001b[90m${s}\u001b[39m`;
  const row = (...cells: string[]) => `${grey('│')}${cells.map((c) => ` ${c.padEnd(22)} `).join(grey('│'))}${grey('│')}`;
  const table = [
    grey('┌────┬────┐'),
    row('\u001b[34mid\u001b[39m', '\u001b[34mname\u001b[39m', '\u001b[34mconsumers\u001b[39m'),
    grey('├────┼────┤'),
    row('a1b2', 'sieve-post-ingest', '1'),
    grey('├────┼────┤'),
    row('c3d4', 'sieve-post-ingest-dlq', '1'),
    grey('└────┴────┘'),
  ].join('\n');

  it('reads a column of a table', () => {
    expect(tableColumn(table, 'name')).toEqual(['sieve-post-ingest', 'sieve-post-ingest-dlq']);
    expect(tableColumn(table, 'missing')).toEqual([]);
    expect(tableColumn(`${grey('┌┐')}\n${grey('└┘')}`, 'name')).toEqual([]);
  });

  it('reads bucket names from `r2 bucket list`', () => {
    const out = 'Listing buckets...\n\u001b[37mname:\u001b[39m           \u001b[90msieve-payloads\u001b[39m\n\u001b[37mcreation_date:\u001b[39m  \u001b[90m2026-01-01T00:00:00.000Z\u001b[39m\n\nname:           other-bucket\ncreation_date:  2026-01-02T00:00:00.000Z\n';
    expect(r2BucketNames(out)).toEqual(['sieve-payloads', 'other-bucket']);
  });

  it('finds the deployed URL', () => {
    expect(deployedUrl('Uploaded sieve-app\n  https://sieve-app.team.workers.dev\nCurrent Version ID: x', 'workers.dev')).toBe('https://sieve-app.team.workers.dev');
    expect(deployedUrl('✨ Deployment complete! Take a peek over at https://3f2a.sieve-app.pages.dev', 'pages.dev')).toBe('https://3f2a.sieve-app.pages.dev');
    expect(deployedUrl('no url here', 'pages.dev')).toBeNull();
  });
});

describe('firstAdminSql', () => {
  const run = (sql: string) => env.DB.batch(sql.split(';').filter((s) => s.trim()).map((s) => env.DB.prepare(s)));

  it('creates a user who can sign in, with a first project on the given shard; running it again changes nothing', async () => {
    const email = `Admin-${crypto.randomUUID().slice(0, 8)}@Example.test`;
    const projectId = crypto.randomUUID();
    await run(firstAdminSql({ email, passwordHash: await hashPassword('first password', 1000), userId: crypto.randomUUID(), projectId, projectName: 'My project', shard: 'DB_SHARD_1' }));
    await run(firstAdminSql({ email, passwordHash: await hashPassword('second password', 1000), userId: crypto.randomUUID(), projectId: crypto.randomUUID(), projectName: 'Again', shard: 'DB_SHARD_0' }));
    const { results } = await env.DB.prepare(
      `SELECT p.id, p.name, p.shard, m.role FROM users u JOIN memberships m ON m.user_id = u.id JOIN projects p ON p.id = m.project_id WHERE u.email = ?`,
    ).bind(email.toLowerCase()).all();
    expect(results).toEqual([{ id: projectId, name: 'My project', shard: 'DB_SHARD_1', role: 'admin' }]);
    await expect(login(email.toLowerCase(), 'first password')).resolves.toMatch(/=/);
    await expect(login(email.toLowerCase(), 'second password')).rejects.toThrow(/401/);
  });
});
