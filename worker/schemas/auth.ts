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
