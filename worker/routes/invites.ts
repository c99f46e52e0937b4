import { Hono } from 'hono';
import { acceptInvite, lookupInvite } from '../accounts/invites';
import { createSession } from '../data/sessions';
import { findUserById } from '../data/users';
import { getDb } from '../db/client';
import { Forbidden, NotFound } from '../lib/errors';
import { jsonBody, params } from '../lib/validate';
import { sessionUser, type AppEnv } from '../middleware/auth';
import { setSessionCookie } from '../middleware/session-cookie';
import type { MeResponse } from '../schemas/auth';
import { AcceptInviteBody, InviteTokenParam, type InviteLookupResponse } from '../schemas/projects';
import { meResponse } from './me';

/** Public: the invite token in the link is the credential. Mounted at `/api/v1/auth/invites`. */
const routes = new Hono<AppEnv>()
  .get('/:token', async (c) => {
    const { token } = params(c, InviteTokenParam);
    const body: InviteLookupResponse = await lookupInvite(getDb(c.env.DB), token);
    return c.json(body);
  })
  .post('/accept', async (c) => {
    // Like sign-in: another site must not be able to sign a visitor into an account it chose.
    const origin = c.req.header('origin');
    if (origin && origin !== new URL(c.req.url).origin) throw new Forbidden('Cross-site invite acceptance rejected.');
    const input = await jsonBody(c, AcceptInviteBody);
    const db = getDb(c.env.DB);
    const signedIn = await sessionUser(c);
    const { userId, projectId } = await acceptInvite(db, c.env.DB, { input, signedIn });
    const user = await findUserById(db, userId);
    if (!user) throw new NotFound('User');
    if (signedIn?.userId !== userId) {
      const session = await createSession(db, userId);
      setSessionCookie(c, session.token, session.expiresAt);
    }
    const me = await meResponse(db, { userId, email: user.email, name: user.name }, c);
    const body: MeResponse = { ...me, currentProjectId: projectId };
    return c.json(body);
  });

export default routes;
export type InviteRoutes = typeof routes;
