import { startLocalServer } from '../../worker/cli/local-server';
import { explorerBench } from './explorer';
import { exportBench } from './export';
import { ingestBench, shapeBench } from './ingest';
import { insightsBench } from './insights';
import { loadTest, loadTestOptions } from './loadtest';
import { costBench } from './cost';
import { createAdminKey, createProjectWithKey, queueBench } from './queue';
import { rulesBench } from './rules';

/**
 * `npm run bench [ingest|explorer|queue|export|rules|insights|cost]`: all of them when none is named. Each server-side
 * benchmark starts its own private local server (fresh state, own port).
 * BENCH_SECONDS sets the ingest duration; EXPLORER_SIZES (e.g. "100000,1000000") the explorer's data sets.
 * INSIGHTS_ANALYZE=1 runs the insights queries with SQLite planner statistics (PRAGMA optimize) present.
 * `npm run bench loadtest [-- --faults]` (only when named; 5 minutes) is `npm run loadtest`.
 */
const only = process.argv[2];
const log = (s: string) => console.log(s);

if (!only || only === 'ingest') {
  // Both ingest modes, one server each (INGEST_MODE is a Worker var), one after the other in the same run.
  for (const mode of ['direct', 'queued'] as const) {
    const server = await startLocalServer(log, { apiVars: { INGEST_MODE: mode } });
    try {
      await ingestBench(server.url, server.cfg.demoApiKey, mode, { concurrency: 32, seconds: Number(process.env.BENCH_SECONDS ?? 15) });
      if (mode === 'direct') {
        const reader = await createProjectWithKey(server.url, server.cfg, 'Reader');
        await shapeBench(server.url, server.cfg.demoApiKey, reader.key);
      }
    } finally {
      await server.stop();
    }
  }
}
if (only === 'shape') {
  // The shape figures alone (they also run at the end of `bench ingest`).
  const server = await startLocalServer(log);
  try {
    const reader = await createProjectWithKey(server.url, server.cfg, 'Reader');
    await shapeBench(server.url, server.cfg.demoApiKey, reader.key);
  } finally {
    await server.stop();
  }
}
if (!only || only === 'explorer') {
  await explorerBench((process.env.EXPLORER_SIZES ?? '100000,1000000').split(',').map(Number));
}
if (!only || only === 'queue') {
  const server = await startLocalServer(log);
  try {
    await queueBench(server.url, await createAdminKey(server.url, server.cfg));
  } finally {
    await server.stop();
  }
}
if (!only || only === 'export') {
  const server = await startLocalServer(log);
  try {
    await exportBench(server.url, await createAdminKey(server.url, server.cfg));
  } finally {
    await server.stop();
  }
}
if (!only || only === 'rules') {
  rulesBench();
}
if (!only || only === 'insights') {
  await insightsBench(Number(process.env.INSIGHTS_RUNS ?? 20), { analyze: process.env.INSIGHTS_ANALYZE === '1' });
}
if (!only || only === 'cost') {
  await costBench(Number(process.env.COST_REQUESTS ?? 300));
}
if (only === 'loadtest') {
  const { lost } = await loadTest(loadTestOptions(process.argv.slice(3)));
  if (lost > 0) process.exitCode = 1;
}
