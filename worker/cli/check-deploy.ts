import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiDeployToml, d1Databases } from './deploy-plan.ts';

/**
 * `npm run check:deploy` (also run by CI before the tests): what `npm run deploy` would ship, checked
 * without an account. The Env types match wrangler.toml; the API Worker's production config (as the
 * deploy generates it, with a placeholder D1 id) bundles and validates in `wrangler deploy --dry-run`;
 * the app's production build succeeds.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
const env = { ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const tmp = mkdtempSync(join(tmpdir(), 'sieve-check-deploy-'));

function run(title: string, cmd: string, args: string[], cwd = ROOT): void {
  const started = performance.now();
  console.log(`\n[check:deploy] ${title}\n  $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(join(BIN, cmd), args, { cwd, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[check:deploy] FAILED: ${title}`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(r.status ?? 1);
  }
  console.log(`[check:deploy] ok: ${title} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

try {
  // The same flags as `npm run types`, which generated the file.
  run('worker/worker-configuration.d.ts matches wrangler.toml', 'wrangler', [
    'types', 'worker/worker-configuration.d.ts', '--include-runtime', 'false', '-c', 'wrangler.toml', '--check',
  ]);
  const config = join(tmp, 'wrangler.toml');
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  writeFileSync(config, apiDeployToml(toml, ROOT, Object.fromEntries(d1Databases(toml).map((d) => [d.binding, d.databaseId]))));
  run('API Worker: production config bundles and validates', 'wrangler', ['deploy', '--dry-run', '--outdir', join(tmp, 'bundle'), '-c', config]);
  run('App: production build', 'vite', ['build'], join(ROOT, 'app'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
