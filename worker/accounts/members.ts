import { createInvite } from '../data/invites';
import { findMember } from '../data/members';
import { findUserByEmail } from '../data/users';
import type { Db } from '../db/client';
import { Conflict } from '../lib/errors';
import { iso } from '../lib/time';
import type { CreatedInviteResponse, InviteMemberBody } from '../schemas/projects';

/** A new account's display name until the person picks one: the part of the email before the @. */
export const defaultName = (email: string): string => email.split('@')[0] ?? email;

/**
 * `POST /projects/:projectId/members`: always an invite link (shown only in this answer), whether or
 * not an account exists for the email, so the answer reveals nothing about other projects' people and
 * nobody ever sets a password for someone else. The person accepts and, if new, chooses a password.
 * Someone already in this project is a 409: the admin sees them in the member list anyway.
 */
export async function inviteMember(
  db: Db,
  { projectId, input, invitedBy, origin }: { projectId: string; input: InviteMemberBody; invitedBy: string | null; origin: string },
): Promise<CreatedInviteResponse> {
  const existing = await findUserByEmail(db, input.email);
  if (existing && (await findMember(db, { projectId, userId: existing.id }))) {
    throw new Conflict(`${input.email} is already a member of this project; change their role instead.`);
  }
  const invite = await createInvite(db, { projectId, email: input.email, role: input.role, invitedBy });
  return { id: invite.id, email: input.email, role: input.role, inviteUrl: `${origin}/invite/${invite.token}`, expiresAt: iso(invite.expiresAt) };
}
