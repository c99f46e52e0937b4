import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { localConfig } from '../../worker/cli/config';
import { seedLocal } from '../../worker/cli/seed';
import { applyMigrations, buildAppIfStale, startDev, waitForHealthy } from '../../worker/cli/wrangler';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    apiKey: string;
    adminEmail: string;
    adminPassword: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

let child: ChildProcess | undefined;
let stateDir: string | undefined;

/** Starts a private server (own port, own state directory) with the demo project seeded. */
export async function setup(project: TestProject): Promise<void> {
  const port = await freePort();
  stateDir = mkdtempSync(join(tmpdir(), 'sieve-e2e-'));
  const cfg = { ...localConfig({}), port, stateDir };
  await buildAppIfStale((s) => console.log(s));
  await applyMigrations(stateDir);
  await seedLocal(cfg);
  child = startDev(port, stateDir);
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(baseUrl, 120_000);
  } catch (err) {
    console.error(output);
    throw err;
  }
  project.provide('baseUrl', baseUrl);
  project.provide('apiKey', cfg.demoApiKey);
  project.provide('adminEmail', cfg.adminEmail);
  project.provide('adminPassword', cfg.adminPassword);
}

export async function teardown(): Promise<void> {
  if (child?.pid) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
