import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Db } from '../db/client';
import { getDb } from '../db/client';
import { listUserProjects } from '../data/users';
import { Forbidden } from '../lib/errors';
import { authenticate, PROJECT_COOKIE, PROJECT_HEADER, type AppEnv } from '../middleware/auth';
import type { MeResponse } from '../schemas/auth';

export async function meResponse(db: Db, user: { userId: string; email: string; name: string }, c: Context): Promise<MeResponse> {
  const projects = await listUserProjects(db, user.userId);
  const wanted = c.req.header(PROJECT_HEADER) ?? getCookie(c, PROJECT_COOKIE);
  const current = projects.find((p) => p.id === wanted) ?? projects[0] ?? null;
  return { user: { id: user.userId, email: user.email, name: user.name }, projects, currentProjectId: current?.id ?? null };
}

const routes = new Hono<AppEnv>().get('/', authenticate, async (c) => {
  const p = c.get('principal');
  if (p.kind !== 'user') throw new Forbidden('`/me` describes a signed-in person; API keys have no user.');
  return c.json(await meResponse(getDb(c.env.DB), p, c));
});

export default routes;
export type MeRoutes = typeof routes;
