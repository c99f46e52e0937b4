import { claimInviteAtomically, findInviteByToken, type InviteRow } from '../data/invites';
import { findUserByEmail } from '../data/users';
import type { Db } from '../db/client';
import { hashPassword } from '../lib/crypto';
import { BadRequest, Forbidden, Gone, HttpError, Unauthorized } from '../lib/errors';
import { iso } from '../lib/time';
import type { AcceptInviteBody, InviteLookupResponse } from '../schemas/projects';
import { defaultName } from './members';

/** An invite that can still be accepted, or the error that explains why not. */
async function openInvite(db: Db, token: string, now: number, allowExpired: boolean): Promise<InviteRow> {
  const invite = await findInviteByToken(db, token);
  if (!invite) throw new HttpError(404, 'not_found', 'This invite link is not valid. Ask a project admin for a new one.');
  if (invite.usedAt !== null) throw new Gone('This invite has already been used. Sign in, or ask a project admin for a new one.');
  if (!allowExpired && invite.expiresAt <= now) throw new Gone('This invite has expired. Ask a project admin for a new one.');
  return invite;
}

/** What the accept page shows; an expired invite is described (with `expired`) rather than refused. */
export async function lookupInvite(db: Db, token: string, now = Date.now()): Promise<InviteLookupResponse> {
  const invite = await openInvite(db, token, now, true);
  const user = await findUserByEmail(db, invite.email);
  return {
    projectName: invite.projectName,
    email: invite.email,
    role: invite.role,
    expiresAt: iso(invite.expiresAt),
    expired: invite.expiresAt <= now,
    hasAccount: !!user?.passwordHash,
  };
}

/**
 * Accepts an invite: a new person gets an account with the password they chose; a person without a
 * password sets one; a person with a password must be signed in as the invited email, and keeps it.
 * The invite is claimed before anything is written, so a token works once even under concurrent use.
 */
export async function acceptInvite(
  db: Db,
  d1: D1Database,
  { input, signedIn, now = Date.now() }: { input: AcceptInviteBody; signedIn: { userId: string; email: string } | null; now?: number },
): Promise<{ userId: string; projectId: string }> {
  const invite = await openInvite(db, input.token, now, false);
  const user = await findUserByEmail(db, invite.email);
  let passwordHash: string | null = null;
  if (user?.passwordHash) {
    if (!signedIn) throw new Unauthorized(`Sign in as ${invite.email} to accept this invite.`);
    if (signedIn.userId !== user.id) {
      throw new Forbidden(`This invite is for ${invite.email}, but you are signed in as ${signedIn.email}. Sign out first.`);
    }
  } else {
    if (!input.password) throw new BadRequest('Choose a password of at least 10 characters to accept this invite.');
    passwordHash = await hashPassword(input.password);
  }
  const userId = user?.id ?? crypto.randomUUID();
  const claimed = await claimInviteAtomically(d1, {
    projectId: invite.projectId,
    inviteId: invite.id,
    now,
    userId,
    newUser: user ? null : { email: invite.email, name: input.name || defaultName(invite.email) },
    passwordHash,
    role: invite.role,
  });
  if (!claimed) throw new Gone('This invite has already been used. Sign in, or ask a project admin for a new one.');
  return { userId, projectId: invite.projectId };
}
