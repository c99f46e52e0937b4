import { defineConfig } from 'drizzle-kit';

/** One schema file per area, so areas evolve without editing each other's files. */
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./worker/db/schema.ts', './worker/db/review.ts', './worker/db/datasets.ts', './worker/db/automations.ts', './worker/db/ops.ts'],
  out: './migrations',
});
