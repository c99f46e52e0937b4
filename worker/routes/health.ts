import { Hono } from 'hono';
import type { AppEnv } from '../middleware/auth';

/** Liveness plus a cheap check that D1 answers, so `npm start` can wait for a usable server. */
const routes = new Hono<AppEnv>().get('/', async (c) => {
  try {
    await c.env.DB.prepare('SELECT 1').first();
    return c.json({ ok: true });
  } catch {
    return c.json({ ok: false, error: { code: 'unavailable', message: 'D1 is not answering.' } }, 503);
  }
});

export default routes;
