/**
 * Local settings shared by `npm start`, `npm run demo`, the e2e tests and the benchmarks.
 * The defaults are for a developer's machine only: never deploy them.
 */
export const LOCAL_DEFAULTS = {
  adminEmail: 'admin@sieve.local',
  adminPassword: 'sieve-local-demo-password',
  demoApiKey: 'sieve_demo_local_only_key',
  projectId: 'demo',
  projectName: 'Demo project',
} as const;

export interface LocalConfig {
  port: number;
  stateDir: string;
  adminEmail: string;
  adminPassword: string;
  /** True when the password came from the environment, so a restart applies a change to it. */
  adminPasswordFromEnv: boolean;
  demoApiKey: string;
}

export function localConfig(env: NodeJS.ProcessEnv = process.env): LocalConfig {
  return {
    port: Number(env.PORT ?? 8787),
    stateDir: env.SIEVE_STATE_DIR ?? '.wrangler/state',
    adminEmail: (env.SIEVE_ADMIN_EMAIL ?? LOCAL_DEFAULTS.adminEmail).toLowerCase(),
    adminPassword: env.SIEVE_ADMIN_PASSWORD ?? LOCAL_DEFAULTS.adminPassword,
    adminPasswordFromEnv: !!env.SIEVE_ADMIN_PASSWORD,
    demoApiKey: env.SIEVE_DEMO_API_KEY ?? LOCAL_DEFAULTS.demoApiKey,
  };
}
