import { localConfig, LOCAL_DEFAULTS } from './config.ts';
import { seedLocal } from './seed.ts';
import { applyMigrations, buildAppIfStale, startDev, waitForHealthy } from './wrangler.ts';

/**
 * `npm start`: build what is stale, migrate and seed local D1, serve UI + API on one origin,
 * and send demo traffic the first time so a newcomer sees a populated product.
 */
const cfg = localConfig();
const url = `http://127.0.0.1:${cfg.port}`;
const log = (s: string) => console.log(`[sieve] ${s}`);

await buildAppIfStale(log);
log('applying migrations to local D1 …');
await applyMigrations(cfg.stateDir);
log('seeding the demo project, admin and API key …');
await seedLocal(cfg);
log(`starting the server on ${url} …`);
const child = startDev(cfg.port, cfg.stateDir);
const verbose = !!process.env.SIEVE_VERBOSE;
child.stdout?.on('data', (d: Buffer) => verbose && process.stdout.write(d));
child.stderr?.on('data', (d: Buffer) => {
  const text = String(d);
  if (verbose || /error|✘/i.test(text)) process.stderr.write(text);
});
const stop = () => {
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => {
  log(`the server exited (${code}).`);
  process.exit(code ?? 1);
});

await waitForHealthy(url);
const demoKeyNote = cfg.demoApiKey === LOCAL_DEFAULTS.demoApiKey ? ' (local-only default)' : '';
const passwordNote = cfg.adminPasswordFromEnv ? '(from SIEVE_ADMIN_PASSWORD)' : `${cfg.adminPassword}  (local-only default)`;
console.log(`
  Sieve is running at ${url}

  Sign in:   ${cfg.adminEmail}  /  ${passwordNote}
  API key:   ${cfg.demoApiKey}${demoKeyNote}
  OTLP:      ${url}/v1/traces   (header: Authorization: Bearer <API key>)
`);

const res = await fetch(`${url}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${cfg.demoApiKey}` } });
const first = res.ok ? ((await res.json()) as { data: unknown[] }) : { data: [1] };
if (first.data.length === 0 && !process.env.SIEVE_NO_DEMO) {
  const { sendDemo, DEMO_DAYS } = await import('./demo.ts');
  log('first start: sending demo traces through the OTLP endpoint …');
  const sent = await sendDemo({ url, key: cfg.demoApiKey, count: 300, days: DEMO_DAYS, log: (s) => process.stdout.write(`\r[sieve] ${s}`) });
  const { seedLoop } = await import('./demo-loop.ts');
  await seedLoop({ url, email: cfg.adminEmail, password: cfg.adminPassword, days: DEMO_DAYS, log: (s) => console.log(`\n[sieve] ${s}`) });
  console.log(`[sieve] demo data ready: ${sent.traces} traces, ${sent.spans} spans, ${sent.evaluations} evaluations, ${sent.feedback} feedback. Press Ctrl+C to stop.`);
}
