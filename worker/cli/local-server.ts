import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localConfig, type LocalConfig } from './config.ts';
import { seedLocal } from './seed.ts';
import { apiConfigWithVars, applyMigrations, buildAppIfStale, startDev, waitForHealthy } from './wrangler.ts';

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
  /** Stops the server and removes its state directory. */
  stop(): Promise<void>;
  /**
   * Kills `wrangler dev` (SIGKILL: a crash; SIGTERM: a clean stop) and starts it again on the same
   * port and state directory; resolves when it answers `/healthz` again, with the downtime in ms.
   */
  restart(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * A private Sieve for tests and benchmarks: its own port and a throwaway state directory,
 * migrated and seeded like `npm start`, removed again by `stop()`. `beforeStart` may write to the
 * local D1 file while no server holds it (benchmarks seed large data sets that way). `apiVars` are
 * set on the API Worker (through a generated copy of its config); `onOutput` sees wrangler's output.
 */
export async function startLocalServer(
  log: (s: string) => void = () => undefined,
  opts: { beforeStart?: (stateDir: string) => Promise<void> | void; apiVars?: Record<string, string>; onOutput?: (text: string) => void } = {},
): Promise<LocalServer> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'sieve-local-'));
  const configDir = opts.apiVars ? mkdtempSync(join(tmpdir(), 'sieve-config-')) : null;
  const apiConfig = configDir ? apiConfigWithVars(configDir, opts.apiVars!) : undefined;
  const cfg: LocalConfig = { ...localConfig({}), port, stateDir };
  await buildAppIfStale(log);
  await applyMigrations(stateDir);
  await seedLocal(cfg);
  await opts.beforeStart?.(stateDir);
  let output = '';
  const launch = () => {
    const child = startDev(port, stateDir, {}, apiConfig);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (d) => {
        output = (output + d).slice(-20_000);
        opts.onOutput?.(String(d));
      });
    }
    return child;
  };
  let child = launch();
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals) => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
  };
  const healthy = async () => {
    try {
      await waitForHealthy(url, 120_000);
    } catch (err) {
      await stop();
      throw new Error(`${(err as Error).message}\n--- server output ---\n${output}`);
    }
  };
  const stop = async () => {
    await kill('SIGTERM');
    rmSync(stateDir, { recursive: true, force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  };
  const restart = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const t0 = performance.now();
    await kill(signal);
    child = launch();
    await healthy();
    return performance.now() - t0;
  };
  await healthy();
  return { url, cfg, stop, restart };
}
