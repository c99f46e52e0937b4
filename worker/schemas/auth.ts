import { z } from 'zod';
import { Role } from './common';

export const LoginBody = z.object({
  email: z.email().max(320).transform((e) => e.toLowerCase()),
  password: z.string().min(1).max(1024),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const ProjectMembership = z.object({ id: z.string(), name: z.string(), role: Role });
export type ProjectMembership = z.infer<typeof ProjectMembership>;

/** `GET /api/v1/me` and the body of a successful login. */
export const MeResponse = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  projects: z.array(ProjectMembership),
  /** The project the request resolved to (header, cookie, or the first membership). */
  currentProjectId: z.string().nullable(),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** A password someone chooses: at least 10 characters; length beats composition rules. */
export const NewPassword = z.string().min(10, 'use at least 10 characters').max(1024);

/** `POST /api/v1/auth/password`; other sessions of the user end when it succeeds. */
export const ChangePasswordBody = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: NewPassword });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** `POST /api/v1/auth/password-reset`: the token from a reset link and the new password; every session of the account ends. */
export const ResetPasswordBody = z.object({ token: z.string().min(16).max(128), newPassword: NewPassword });
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;
