import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { unstable_readConfig } from 'wrangler';
import { hashPassword } from '../lib/crypto.ts';
import { apiDeployToml, deployedUrl, firstAdminSql, pagesToml, r2BucketNames, tableColumn, type DeployNames } from './deploy-plan.ts';

/**
 * `npm run deploy`: creates or reuses the Cloudflare resources named in wrangler.toml (the D1 control
 * database and every data shard `DB_SHARD_<n>`, R2, the post-ingest Queue and its dead-letter queue),
 * writes the production config with the real D1 ids under .wrangler/ (never committed), applies the
 * remote migrations to every database, deploys the API Worker, then builds
 * the app and deploys it to Pages with its service binding to the API. `--dry-run` prints every step
 * and writes the generated configs, but runs nothing remote. Secrets go through `wrangler secret put`.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
/** Not `.wrangler/deploy/`: wrangler treats `.wrangler/deploy/config.json` as a config redirect. */
export const OUT = join(ROOT, '.wrangler/sieve-deploy');
const API_CONFIG = join(OUT, 'wrangler.toml');
const PAGES_DIR = join(OUT, 'pages');
const APP_BUILD = join(ROOT, 'app/.svelte-kit/cloudflare');
const PRODUCTION_BRANCH = 'main';

const { values: flags } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'skip-app': { type: 'boolean', default: false },
    'app-on-workers': { type: 'boolean', default: false },
    location: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const dry = flags['dry-run'];

if (flags.help) {
  console.log(`npm run deploy [-- options]
  --dry-run         print every step and write the generated configs; run nothing remote
  --skip-app        deploy the API Worker only
  --app-on-workers  deploy the app as a Worker with static assets (app/wrangler.toml) instead of Pages
  --location <hint> location hint for a new D1 database and R2 bucket (weur, eeur, apac, oc, wnam, enam)
Environment: CLOUDFLARE_ACCOUNT_ID when your login has several accounts; SIEVE_ADMIN_EMAIL and
SIEVE_ADMIN_PASSWORD to create the first admin; any [vars] name of wrangler.toml (e.g. CF_ACCESS_AUD)
to override it in production.`);
  process.exit(0);
}

const say = (s: string) => console.log(s);
const step = (n: number, title: string) => say(`\n[${n}] ${title}`);

/** The environment of every wrangler run: no prompts (stdin is closed), no telemetry. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, WRANGLER_SEND_METRICS: 'false', ...extra };
}

interface RunOpts {
  cwd?: string;
  extraEnv?: Record<string, string>;
  /** Keep the output to ourselves (it is parsed, not shown). */
  quiet?: boolean;
}

/**
 * Runs a node_modules/.bin command; resolves with its stdout, rejects with its output on failure.
 * A dry run prints the command and runs nothing (it resolves with '').
 */
function exec(cmd: string, args: string[], o: RunOpts): Promise<string> {
  const shown = `${cmd === 'wrangler' ? 'npx wrangler' : cmd} ${args.join(' ')}`;
  const where = o.cwd && o.cwd !== ROOT ? `  (in ${o.cwd.replace(`${ROOT}/`, '')})` : '';
  const envNote = o.extraEnv ? `${Object.entries(o.extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
  say(`  $ ${envNote}${shown}${where}`);
  if (dry) return Promise.resolve('');
  return new Promise((ok, fail) => {
    const child = spawn(join(BIN, cmd), args, { cwd: o.cwd ?? ROOT, env: env(o.extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!o.quiet) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      err += d;
      if (!o.quiet) process.stderr.write(d);
    });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`${shown} exited ${code}\n${out}${err}`))));
  });
}

const wrangler = (args: string[], o: RunOpts = {}) => exec('wrangler', args, o);

/** wrangler's `--json` output, skipping anything it printed before the JSON. */
function json<T>(out: string): T {
  const start = out.search(/[[{]/);
  if (start < 0) throw new Error(`expected JSON from wrangler, got: ${out.slice(0, 300)}`);
  return JSON.parse(out.slice(start)) as T;
}

function readNames(): { names: DeployNames; api: ReturnType<typeof unstable_readConfig>; app: ReturnType<typeof unstable_readConfig> } {
  const api = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') });
  const app = unstable_readConfig({ config: join(ROOT, 'app/wrangler.toml') });
  const databases: DeployNames['databases'] = api.d1_databases.map((d: { binding: string; database_name?: string }) => ({ binding: d.binding, name: d.database_name ?? '' }));
  const [bucket] = api.r2_buckets;
  const queues = new Set<string>();
  for (const p of api.queues.producers ?? []) queues.add(p.queue);
  for (const c of api.queues.consumers ?? []) {
    queues.add(c.queue);
    if (c.dead_letter_queue) queues.add(c.dead_letter_queue);
  }
  if (!api.name || !databases.some((d) => d.binding === 'DB') || databases.some((d) => !d.name) || !bucket?.bucket_name || !app.name) {
    throw new Error('wrangler.toml or app/wrangler.toml lacks a name, the D1 binding DB (or a database_name), or an R2 bucket');
  }
  return { names: { worker: api.name, databases, bucket: bucket.bucket_name, queues: [...queues], app: app.name }, api, app };
}

const location = flags.location ? ['--location', flags.location] : [];

async function checkLogin(): Promise<void> {
  const out = await wrangler(['whoami', '--json'], { quiet: true }).catch((err: Error) => {
    throw new Error(`Not logged in to Cloudflare: run \`npx wrangler login\` (or set CLOUDFLARE_API_TOKEN) and try again.\n${err.message}`);
  });
  if (dry) return;
  const who = json<{ loggedIn: boolean; email?: string; accounts?: { id: string; name: string }[] }>(out);
  const accounts = who.accounts ?? [];
  const chosen = process.env.CLOUDFLARE_ACCOUNT_ID;
  if (accounts.length > 1 && !chosen) {
    throw new Error(`Your login has ${accounts.length} accounts; set CLOUDFLARE_ACCOUNT_ID to one of:\n${accounts.map((a) => `  ${a.id}  ${a.name}`).join('\n')}`);
  }
  const account = accounts.find((a) => a.id === chosen) ?? accounts[0];
  say(`  logged in as ${who.email ?? '(API token)'}, account ${account ? `${account.name} (${account.id})` : chosen}`);
}

async function ensureDatabase(name: string): Promise<string> {
  const find = async () => json<{ uuid: string; name: string }[]>(await wrangler(['d1', 'list', '--json'], { quiet: true })).find((d) => d.name === name);
  if (dry) {
    await wrangler(['d1', 'list', '--json']);
    await wrangler(['d1', 'create', name, ...location]);
    return `<id of D1 database "${name}">`;
  }
  let db = await find();
  if (db) say(`  reusing D1 database ${name} (${db.uuid})`);
  else {
    await wrangler(['d1', 'create', name, ...location], { quiet: true });
    db = await find();
    if (!db) throw new Error(`D1 database ${name} was created but is not listed yet; run the deploy again`);
    say(`  created D1 database ${name} (${db.uuid})`);
  }
  return db.uuid;
}

async function ensureBucket(name: string): Promise<void> {
  const listed = r2BucketNames(await wrangler(['r2', 'bucket', 'list'], { quiet: true }));
  if (listed.includes(name)) return say(`  reusing R2 bucket ${name}`);
  await wrangler(['r2', 'bucket', 'create', name, ...location], { quiet: true });
  if (!dry) say(`  created R2 bucket ${name}`);
}

/** `queues list` is paged and has no `--json`: read pages until every wanted queue is seen or a page is empty. */
async function ensureQueues(names: string[]): Promise<void> {
  const seen = new Set<string>();
  for (let page = 1; page <= 100 && names.some((n) => !seen.has(n)); page++) {
    const rows = tableColumn(await wrangler(['queues', 'list', '--page', String(page)], { quiet: true }), 'name');
    if (!rows.length) break;
    for (const r of rows) seen.add(r);
  }
  for (const name of names) {
    if (seen.has(name)) say(`  reusing queue ${name}`);
    else {
      await wrangler(['queues', 'create', name], { quiet: true });
      if (!dry) say(`  created queue ${name}`);
    }
  }
}

/** The production config: [vars] from the environment override the file's (SIEVE_ENV is always production). */
function writeApiConfig(databaseIds: Record<string, string>, vars: Record<string, unknown>): void {
  const fromEnv = Object.fromEntries(Object.keys(vars).filter((k) => k !== 'SIEVE_ENV' && process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
  // Cloudflare's Queue is durable, so production acknowledges OTLP requests once queued (see wrangler.toml).
  const overrides = { INGEST_MODE: 'queued', ...fromEnv };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(API_CONFIG, apiDeployToml(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'), ROOT, databaseIds, overrides));
  say(`  wrote ${API_CONFIG.replace(`${ROOT}/`, '')}${Object.keys(fromEnv).length ? ` (from the environment: ${Object.keys(fromEnv).join(', ')})` : ''}`);
}

async function deployPages(names: DeployNames, app: ReturnType<typeof unstable_readConfig>): Promise<{ url: string | null; deployment: string | null }> {
  const listOut = await wrangler(['pages', 'project', 'list', '--json'], { quiet: true });
  const projects = dry ? [] : json<{ 'Project Name': string; 'Project Domains': string }[]>(listOut);
  let project = projects.find((p) => p['Project Name'] === names.app);
  if (!project) {
    await wrangler(['pages', 'project', 'create', names.app, '--production-branch', PRODUCTION_BRANCH], { quiet: true });
    if (!dry) {
      say(`  created Pages project ${names.app}`);
      project = json<{ 'Project Name': string; 'Project Domains': string }[]>(await wrangler(['pages', 'project', 'list', '--json'], { quiet: true }))
        .find((p) => p['Project Name'] === names.app);
    }
  } else say(`  reusing Pages project ${names.app}`);
  // CF_PAGES makes the adapter write a Pages build (_routes.json, no .assetsignore) into the same directory.
  await exec('vite', ['build'], { cwd: join(ROOT, 'app'), extraEnv: { CF_PAGES: '1' }, quiet: true });
  mkdirSync(PAGES_DIR, { recursive: true });
  writeFileSync(join(PAGES_DIR, 'wrangler.toml'), pagesToml({
    name: names.app,
    outputDir: APP_BUILD,
    compatibilityDate: app.compatibility_date ?? '2026-11-01',
    compatibilityFlags: app.compatibility_flags ?? [],
    services: (app.services ?? []).map((s: { binding: string; service: string }) => ({ binding: s.binding, service: s.service })),
  }));
  say(`  wrote ${join(PAGES_DIR, 'wrangler.toml').replace(`${ROOT}/`, '')}`);
  try {
    const out = await wrangler(['pages', 'deploy', '--project-name', names.app, '--branch', PRODUCTION_BRANCH, '--commit-dirty=true'], { cwd: PAGES_DIR });
    const domain = project?.['Project Domains'].split(',')[0]?.trim();
    return { url: domain ? `https://${domain}` : null, deployment: deployedUrl(out, 'pages.dev') };
  } finally {
    // `npm start` serves app/.svelte-kit/cloudflare as Worker assets: make it rebuild rather than serve a Pages build.
    if (!dry) rmSync(APP_BUILD, { recursive: true, force: true });
  }
}

async function deployAppOnWorkers(): Promise<{ url: string | null; deployment: null }> {
  await exec('vite', ['build'], { cwd: join(ROOT, 'app'), quiet: true });
  const out = await wrangler(['deploy', '-c', 'app/wrangler.toml']);
  return { url: deployedUrl(out, 'workers.dev'), deployment: null };
}

async function createFirstAdmin(email: string, password: string, shard: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sieve-admin-'));
  try {
    const file = join(dir, 'admin.sql');
    const sql = firstAdminSql({ email, passwordHash: await hashPassword(password), userId: crypto.randomUUID(), projectId: crypto.randomUUID(), projectName: 'My project', shard });
    writeFileSync(file, sql, { mode: 0o600 });
    await wrangler(['d1', 'execute', 'DB', '--remote', '-c', API_CONFIG, '--file', file], { quiet: true });
    if (!dry) say(`  ${email} can sign in (an existing user keeps their password)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { names, api, app } = readNames();
  say(`Deploying Sieve${dry ? ' (dry run: remote commands are printed, not run)' : ''}`);
  step(1, 'Cloudflare login');
  await checkLogin();
  step(2, `D1 databases ${names.databases.map((d) => `"${d.name}" (${d.binding})`).join(', ')}`);
  const databaseIds: Record<string, string> = {};
  for (const d of names.databases) databaseIds[d.binding] = await ensureDatabase(d.name);
  step(3, `R2 bucket "${names.bucket}"`);
  await ensureBucket(names.bucket);
  step(4, `Queues ${names.queues.map((q) => `"${q}"`).join(', ')}`);
  await ensureQueues(names.queues);
  step(5, 'Production config for the API Worker');
  writeApiConfig(databaseIds, api.vars ?? {});
  step(6, 'Remote D1 migrations on every database (before the code that needs them)');
  for (const d of names.databases) await wrangler(['d1', 'migrations', 'apply', d.binding, '--remote', '-c', API_CONFIG]);
  step(7, `API Worker "${names.worker}" (SIEVE_ENV=production, cron, queue consumers, Durable Object)`);
  await wrangler(['deploy', '-c', API_CONFIG]);
  let app_ = { url: null as string | null, deployment: null as string | null };
  if (!flags['skip-app']) {
    step(8, flags['app-on-workers'] ? `App "${names.app}" as a Worker with static assets` : `App "${names.app}" on Cloudflare Pages, bound to "${names.worker}"`);
    app_ = flags['app-on-workers'] ? await deployAppOnWorkers() : await deployPages(names, app);
  }
  const admin = { email: process.env.SIEVE_ADMIN_EMAIL, password: process.env.SIEVE_ADMIN_PASSWORD };
  if (admin.email && admin.password) {
    step(9, `First admin ${admin.email}`);
    await createFirstAdmin(admin.email, admin.password, names.databases.find((d) => d.binding.startsWith('DB_SHARD_'))?.binding ?? 'DB');
  }
  summary(names, app_, !!(admin.email && admin.password));
}

function summary(names: DeployNames, app: { url: string | null; deployment: string | null }, adminDone: boolean): void {
  // A new Pages project may not be listed yet: its production host is the deployment's host minus the hash.
  const fromDeployment = app.deployment?.replace(/^https:\/\/[^.]+\./, 'https://') ?? null;
  const expected = dry && !flags['skip-app'] && !flags['app-on-workers'] ? `https://${names.app}.pages.dev` : null;
  const base = app.url ?? fromDeployment ?? expected;
  say(`\n${dry ? 'Dry run complete: nothing was changed on Cloudflare.' : 'Sieve is deployed.'}`);
  if (base) {
    say(`  App, API and OTLP:  ${base}${dry ? '  (expected)' : ''}`);
    say(`  OTLP endpoint:      ${base}/v1/traces   (Authorization: Bearer <project API key>)`);
  }
  if (app.deployment) say(`  This deployment:    ${app.deployment}`);
  say(`  API Worker:         ${names.worker} (no public URL: reached through the app's API service binding)`);
  say(`  Resources:          D1 ${names.databases.map((d) => d.name).join(', ')}, R2 ${names.bucket}, queues ${names.queues.join(', ')}`);
  say('\nNext steps:');
  let n = 1;
  if (!adminDone) {
    say(`  ${n++}. Create the first admin (and a first project); everything else is reused:`);
    say(`       SIEVE_ADMIN_EMAIL=you@example.com SIEVE_ADMIN_PASSWORD='<a long password>' npm run deploy`);
  }
  say(`  ${n++}. Secrets: none are required. Any you add go in with \`npx wrangler secret put <NAME> --name ${names.worker}\`,`);
  say('     never in wrangler.toml. Other [vars] (e.g. CF_ACCESS_TEAM_DOMAIN, CF_ACCESS_AUD) can be exported when deploying.');
  say(`  ${n++}. A custom domain: add it to the ${flags['app-on-workers'] ? `Worker "${names.app}" (Settings → Domains & Routes)` : `Pages project "${names.app}" (Custom domains)`}; UI, API and OTLP follow.`);
  say(`  ${n++}. Retention: set a project's retention in its settings; the cron (every 15 minutes) enforces it.`);
}

main().catch((err: unknown) => {
  console.error(`\ndeploy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
