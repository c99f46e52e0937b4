import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Automations see traces at once in tests; the settle window itself is tested with explicit clocks.
        bindings: { TEST_MIGRATIONS: migrations, AUTOMATION_SETTLE_SECONDS: '0' },
        // An empty database the upgrade test migrates step by step (test/worker/data/upgrade.test.ts).
        d1Databases: ['UPGRADE_TEST_DB'],
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    setupFiles: ['./test/worker/setup.ts'],
    // The Worker's access log (one JSON line per request, worker/middleware/request-id.ts) would drown test output.
    onConsoleLog: (line) => !line.startsWith('{"level":"info","msg":"request"'),
  },
});
