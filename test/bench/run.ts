import { startLocalServer } from '../../worker/cli/local-server';
import { ingestBench } from './ingest';

/** `npm run bench`: starts a private local server and runs every benchmark against it. */
const server = await startLocalServer((s) => console.log(s));
try {
  console.log(`bench server at ${server.url}`);
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  await ingestBench(server.url, server.cfg.demoApiKey, { concurrency: 32, seconds });
} finally {
  await server.stop();
}
