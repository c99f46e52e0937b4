import type { TestProject } from 'vitest/node';
import { startLocalServer, type LocalServer } from '../../worker/cli/local-server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    apiKey: string;
    adminEmail: string;
    adminPassword: string;
  }
}

let server: LocalServer | undefined;

/** One private server (own port, own state) with the demo project seeded, for every e2e file. */
export async function setup(project: TestProject): Promise<void> {
  server = await startLocalServer((s) => console.log(s));
  project.provide('baseUrl', server.url);
  project.provide('apiKey', server.cfg.demoApiKey);
  project.provide('adminEmail', server.cfg.adminEmail);
  project.provide('adminPassword', server.cfg.adminPassword);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
