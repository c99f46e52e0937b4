import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfig, type LocalConfig } from './config.ts';
import { seedLocal } from './seed.ts';
import { applyMigrations, buildAppIfStale, startDev, waitForHealthy } from './wrangler.ts';

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no free port'))));
    });
  });
}

export interface LocalServer {
  url: string;
  cfg: LocalConfig;
  stop(): Promise<void>;
}

/**
 * A private Sieve for tests and benchmarks: its own port and a throwaway state directory,
 * migrated and seeded like `npm start`, removed again by `stop()`. `beforeStart` may write to the
 * local D1 file while no server holds it (benchmarks seed large data sets that way).
 */
export async function startLocalServer(
  log: (s: string) => void = () => undefined,
  opts: { beforeStart?: (stateDir: string) => Promise<void> | void } = {},
): Promise<LocalServer> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'sieve-local-'));
  const cfg: LocalConfig = { ...localConfig({}), port, stateDir };
  await buildAppIfStale(log);
  await applyMigrations(stateDir);
  await seedLocal(cfg);
  await opts.beforeStart?.(stateDir);
  const child = startDev(port, stateDir);
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitForHealthy(url, 120_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n--- server output ---\n${output}`);
  }
  return { url, cfg, stop };
}
