import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { d1Databases, type D1Entry } from './deploy-plan.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');

/** The environment every local wrangler run needs: no network for `request.cf`, no telemetry. */
export function localEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    CI: process.env.CI ?? 'true',
    ...extra,
  };
}

/** Runs a command from node_modules/.bin to completion; rejects with its output on failure. */
export function run(cmd: string, args: string[], opts: { quiet?: boolean; cwd?: string } = {}): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(join(BIN, cmd), args, { cwd: opts.cwd ?? ROOT, env: localEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (!opts.quiet) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      if (!opts.quiet) process.stderr.write(d);
    });
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(out) : fail(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out}`))));
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const APP_OUTPUT = join(ROOT, 'app/.svelte-kit/cloudflare/_worker.js');

/** Builds the SvelteKit app unless its output is newer than every source file it depends on. */
export async function buildAppIfStale(log: (s: string) => void): Promise<void> {
  const sources = Math.max(newestMtime(join(ROOT, 'app/src')), newestMtime(join(ROOT, 'worker/schemas')));
  if (existsSync(APP_OUTPUT) && statSync(APP_OUTPUT).mtimeMs > sources) return;
  log('building the app (SvelteKit) …');
  await run('vite', ['build'], { quiet: true, cwd: join(ROOT, 'app') });
}

/** The D1 databases of the API Worker's wrangler.toml: the control database `DB`, then the data shards. */
export function localDatabases(): D1Entry[] {
  return d1Databases(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'));
}

/** Applies the one migrations directory to every local database: the control database and each data shard. */
export async function applyMigrations(stateDir: string): Promise<void> {
  for (const { binding } of localDatabases()) {
    await run('wrangler', ['d1', 'migrations', 'apply', binding, '--local', '-c', 'wrangler.toml', '--persist-to', stateDir], { quiet: true });
  }
}

/**
 * The SQLite file miniflare keeps for a local D1 database under a state directory: a Durable Object of
 * the class `D1DatabaseObject` named by the database id, whose file name is workerd's id for that name
 * (the first 16 bytes of HMAC-SHA256(SHA-256(namespace key), name), then 16 of the same over those).
 */
export function localD1File(stateDir: string, binding = 'DB'): string {
  const entry = localDatabases().find((d) => d.binding === binding);
  if (!entry) throw new Error(`wrangler.toml has no D1 binding ${binding}`);
  const key = createHash('sha256').update('miniflare-D1DatabaseObject').digest();
  const head = createHmac('sha256', key).update(entry.databaseId).digest().subarray(0, 16);
  const tail = createHmac('sha256', key).update(head).digest().subarray(0, 16);
  return join(stateDir, 'v3/d1/miniflare-D1DatabaseObject', `${Buffer.concat([head, tail]).toString('hex')}.sqlite`);
}

/**
 * A copy of the API Worker's config in `dir` with `vars` set, for `startDev`: `--var` reaches only the
 * first config of a multi-config `wrangler dev` (the app), so the API Worker's vars go in its config.
 * Same name and ids (the app's service binding and the local state still match), paths made absolute.
 */
export function apiConfigWithVars(dir: string, vars: Record<string, string>): string {
  let toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
    .replace(/^main = "(.+)"$/m, (_, p: string) => `main = ${JSON.stringify(join(ROOT, p))}`)
    .replace(/^migrations_dir = "(.+)"$/m, (_, p: string) => `migrations_dir = ${JSON.stringify(join(ROOT, p))}`);
  for (const [key, value] of Object.entries(vars)) {
    const line = `${key} = ${JSON.stringify(value)}`;
    const existing = new RegExp(`^${key} = .*$`, 'm');
    toml = existing.test(toml) ? toml.replace(existing, line) : toml.replace(/^\[vars\]$/m, `[vars]\n${line}`);
  }
  const file = join(dir, 'wrangler.toml');
  writeFileSync(file, toml);
  return file;
}

/** Starts UI + API on one origin: the app config owns the port, the API is its service binding. */
export function startDev(port: number, stateDir: string, extraVars: Record<string, string> = {}, apiConfig = 'wrangler.toml'): ChildProcess {
  const vars = Object.entries(extraVars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  return spawn(
    join(BIN, 'wrangler'),
    ['dev', '-c', 'app/wrangler.toml', '-c', apiConfig, '--port', String(port), '--ip', '127.0.0.1',
      '--persist-to', stateDir, '--show-interactive-dev-session=false', ...vars],
    { cwd: ROOT, env: localEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
}

/** Polls `GET /healthz` until it answers 200 or the deadline passes. */
export async function waitForHealthy(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      // A server that accepts but never answers (mid-reload) must not hang the wait past its deadline.
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
