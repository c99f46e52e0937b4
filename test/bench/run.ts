import { startLocalServer } from '../../worker/cli/local-server';
import { explorerBench } from './explorer';
import { ingestBench } from './ingest';

/**
 * `npm run bench [ingest|explorer]`: each benchmark starts its own private local server.
 * BENCH_SECONDS sets the ingest duration; EXPLORER_SIZES (e.g. "100000,1000000") the data sets.
 */
const only = process.argv[2];
if (!only || only === 'ingest') {
  const server = await startLocalServer((s) => console.log(s));
  try {
    await ingestBench(server.url, server.cfg.demoApiKey, { concurrency: 32, seconds: Number(process.env.BENCH_SECONDS ?? 15) });
  } finally {
    await server.stop();
  }
}
if (!only || only === 'explorer') {
  const sizes = (process.env.EXPLORER_SIZES ?? '100000,1000000').split(',').map(Number);
  await explorerBench(sizes);
}
