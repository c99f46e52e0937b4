import { createInvite } from '../data/invites';
import { addMember, findMember } from '../data/members';
import { createUser, findUserByEmail, setFirstPassword } from '../data/users';
import type { Db } from '../db/client';
import { hashPassword } from '../lib/crypto';
import { Conflict } from '../lib/errors';
import { iso } from '../lib/time';
import type { CreatedInviteResponse, InviteMemberBody, MemberResponse } from '../schemas/projects';

/** A new account's display name until the person picks one: the part of the email before the @. */
export const defaultName = (email: string): string => email.split('@')[0] ?? email;

/**
 * `POST /projects/:projectId/members`. With a password the person joins at once (a new account, or an
 * existing one that has no password yet); without one they get an invite link, shown only in this answer.
 */
export async function addOrInviteMember(
  db: Db,
  { projectId, input, invitedBy, origin }: { projectId: string; input: InviteMemberBody; invitedBy: string | null; origin: string },
): Promise<{ member: MemberResponse } | { invite: CreatedInviteResponse }> {
  const existing = await findUserByEmail(db, input.email);
  if (existing && (await findMember(db, { projectId, userId: existing.id }))) {
    throw new Conflict(`${input.email} is already a member of this project; change their role instead.`);
  }
  if (input.password === undefined) {
    const invite = await createInvite(db, { projectId, email: input.email, role: input.role, invitedBy });
    return {
      invite: {
        id: invite.id,
        email: input.email,
        role: input.role,
        inviteUrl: `${origin}/invite/${invite.token}`,
        expiresAt: iso(invite.expiresAt),
      },
    };
  }
  const hasPassword = new Conflict(
    `${input.email} already has a password; add them without one to send an invite link instead.`,
  );
  if (existing?.passwordHash) throw hasPassword;
  const passwordHash = await hashPassword(input.password);
  const userId = existing
    ? existing.id
    : (await createUser(db, { email: input.email, name: input.name || defaultName(input.email), passwordHash })).id;
  if (existing && !(await setFirstPassword(db, { userId, passwordHash }))) throw hasPassword;
  await addMember(db, { projectId, userId, role: input.role });
  const member = await findMember(db, { projectId, userId });
  if (!member) throw new Conflict('The member was removed while being added; try again.');
  return { member };
}
