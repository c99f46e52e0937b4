import { Hono } from 'hono';
import type { AppEnv } from '../middleware/auth';
import { checkBindings } from '../ops/health';

/**
 * `GET /healthz`: 200 `{ ok: true, checks }` when D1 (the control database and every data shard), R2, the Queue producer and the Durable Object
 * namespace are usable, else 503 naming the failed checks with their latency. Public and polled
 * (`npm start` waits on it), so it says which binding failed but not why; the log line does.
 */
const routes = new Hono<AppEnv>().get('/', async (c) => {
  const checks = await checkBindings(c.env);
  const failed = Object.entries(checks).filter(([, r]) => !r.ok);
  if (!failed.length) return c.json({ ok: true, checks });
  const message = `Failing: ${failed.map(([name, r]) => `${name} (${r.error}, ${r.ms} ms)`).join(', ')}.`;
  return c.json({ ok: false, checks, error: { code: 'unavailable', message } }, 503);
});

export default routes;
