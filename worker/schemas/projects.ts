import { z } from 'zod';
import { NewPassword } from './auth';
import { re2Problem } from '../lib/re2-pattern';
import { Role, Scope } from './common';

/** Projects, their members, invites and API keys: request bodies and response shapes. */

const ProjectName = z.string().trim().min(1, 'a project needs a name').max(100);
const Email = z.email().max(320).transform((e) => e.toLowerCase());

export const ProjectIdParam = z.object({ projectId: z.string().min(1).max(64) });
export const MemberParam = ProjectIdParam.extend({ userId: z.string().min(1).max(64) });
export const ApiKeyParam = ProjectIdParam.extend({ keyId: z.string().min(1).max(64) });

export const CreateProjectBody = z.object({ name: ProjectName });
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

/** The built-in redaction detectors; see worker/ingest/detectors.ts for what each one matches. */
export const RedactionDetector = z.enum(['secrets', 'creditCard', 'email', 'phone']);
export type RedactionDetector = z.infer<typeof RedactionDetector>;

export const MAX_PATTERN_CHARS = 300;

/**
 * Why a custom pattern cannot run at ingest, or null when it can. Patterns run on RE2 (linear time,
 * see worker/lib/re2-pattern.ts): RE2 syntax, no lookaround or backreferences, a bounded compiled
 * size, and no match of the empty string.
 */
export function patternProblem(pattern: string, ignoreCase = false): string | null {
  return re2Problem(pattern, ignoreCase);
}

export const CustomPattern = z
  .object({
    /** Shown in the marker: `[REDACTED:<name>]`. */
    name: z.string().trim().regex(/^[a-z0-9_-]{1,32}$/, 'use 1–32 lowercase letters, digits, - or _'),
    pattern: z.string().min(1, 'a pattern is needed').max(MAX_PATTERN_CHARS, `at most ${MAX_PATTERN_CHARS} characters`),
    ignoreCase: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    const problem = patternProblem(p.pattern, p.ignoreCase);
    if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `the pattern ${problem}` });
  });
export type CustomPattern = z.infer<typeof CustomPattern>;

/** An attribute key (`http.request.header.cookie`) or, ending in `*`, a key prefix (`app.debug.*`). */
const DropKey = z.string().trim().min(1).max(200).regex(/^[^*]+\*?$/, 'a key, or a prefix ending in one *');

const uniqueNames = (list: { name: string }[]) => new Set(list.map((p) => p.name)).size === list.length;
const CustomPatterns = z.array(CustomPattern).max(20).refine(uniqueNames, 'each pattern needs its own name');
/** Attribute keys removed outright (with their children, `key.*`), on spans, events, links and resources. */
const DropAttributes = z.array(DropKey).max(100);

/**
 * A project's redaction rules, applied at ingest before anything is stored. Unset fields take the
 * defaults, so a project that never saved settings (stored `{}`) redacts secrets and card numbers
 * but not emails or phone numbers.
 */
export const RedactionConfig = z.object({
  detectors: z
    .object({
      secrets: z.boolean().default(true),
      creditCard: z.boolean().default(true),
      email: z.boolean().default(false),
      phone: z.boolean().default(false),
    })
    .prefault({}),
  customPatterns: CustomPatterns.default([]),
  dropAttributes: DropAttributes.default([]),
});
export type RedactionConfig = z.infer<typeof RedactionConfig>;

/** A change to the redaction rules: detectors merge into the current ones, lists replace theirs. No defaults here. */
export const RedactionPatch = z.strictObject({
  detectors: z.strictObject({ secrets: z.boolean(), creditCard: z.boolean(), email: z.boolean(), phone: z.boolean() }).partial().optional(),
  customPatterns: CustomPatterns.optional(),
  dropAttributes: DropAttributes.optional(),
});
export type RedactionPatch = z.infer<typeof RedactionPatch>;

/** Days to keep traces; null keeps them forever. */
export const RetentionDays = z.number().int().min(1).max(3650).nullable();

export const UpdateProjectBody = z
  .strictObject({ name: ProjectName.optional(), retentionDays: RetentionDays.optional(), redaction: RedactionPatch.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'send at least one setting to change');
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

/** A project as its caller sees it; `role` is null for an API key. */
export const ProjectResponse = z.object({ id: z.string(), name: z.string(), role: Role.nullable(), createdAt: z.string() });
export type ProjectResponse = z.infer<typeof ProjectResponse>;

/** `GET/PATCH /projects/:projectId`: the project with its retention and redaction settings. */
export const ProjectDetailResponse = ProjectResponse.extend({ retentionDays: z.number().nullable(), redaction: RedactionConfig });
export type ProjectDetailResponse = z.infer<typeof ProjectDetailResponse>;

export const ProjectListResponse = z.object({ data: z.array(ProjectResponse), nextCursor: z.null() });
export type ProjectListResponse = z.infer<typeof ProjectListResponse>;

/**
 * `POST /projects/:projectId/members`. With `password` the person gets an account (or a first
 * password) and joins at once; without it they get an invite link.
 */
export const InviteMemberBody = z.object({
  email: Email,
  role: Role,
  name: z.string().trim().max(100).optional(),
  /** Refused: nobody sets a password for someone else (issue #18.4); the person chooses theirs on the invite page. */
  password: z
    .never({ error: 'Sieve never sets a password for someone else: leave it out, and the person gets an invite link to choose their own.' })
    .optional(),
});
export type InviteMemberBody = z.infer<typeof InviteMemberBody>;

export const UpdateMemberBody = z.object({ role: Role });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

export const MemberResponse = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  joinedAt: z.string(),
});
export type MemberResponse = z.infer<typeof MemberResponse>;

/** An invite not yet used and not expired; the token is never shown again. */
export const PendingInviteResponse = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  invitedBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PendingInviteResponse = z.infer<typeof PendingInviteResponse>;

export const MemberListResponse = z.object({
  data: z.array(MemberResponse),
  invites: z.array(PendingInviteResponse),
  nextCursor: z.null(),
});
export type MemberListResponse = z.infer<typeof MemberListResponse>;

/** The answer to an invite without password: the link is shown this once. */
export const CreatedInviteResponse = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  inviteUrl: z.string(),
  expiresAt: z.string(),
});
export type CreatedInviteResponse = z.infer<typeof CreatedInviteResponse>;

export const CreateApiKeyBody = z.object({
  name: z.string().trim().min(1, 'a key needs a name').max(100),
  scopes: z
    .array(Scope)
    .min(1, 'pick at least one scope')
    .transform((s) => [...new Set(s)]),
});
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ApiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the key, to tell keys apart; the full key is never shown again. */
  prefix: z.string(),
  scopes: z.array(Scope),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Email of the person who created it; null for keys made by a key or by the seed. */
  createdBy: z.string().nullable(),
});
export type ApiKeyResponse = z.infer<typeof ApiKeyResponse>;

export const ApiKeyListResponse = z.object({ data: z.array(ApiKeyResponse), nextCursor: z.null() });
export type ApiKeyListResponse = z.infer<typeof ApiKeyListResponse>;

/** The answer to creating a key: the only response that ever carries `key`. */
export const CreatedApiKeyResponse = ApiKeyResponse.extend({ key: z.string() });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const InviteTokenParam = z.object({ token: z.string().min(16).max(128) });

/** `GET /api/v1/auth/invites/:token`, for the accept page. */
export const InviteLookupResponse = z.object({
  projectName: z.string(),
  email: z.string(),
  role: Role,
  expiresAt: z.string(),
  expired: z.boolean(),
  /** True when the email already has a password: the page asks to sign in rather than to choose one. */
  hasAccount: z.boolean(),
});
export type InviteLookupResponse = z.infer<typeof InviteLookupResponse>;

/** `password` is required when the invited email has no password yet. */
export const AcceptInviteBody = z.object({
  token: z.string().min(16).max(128),
  name: z.string().trim().max(100).optional(),
  password: NewPassword.optional(),
});
export type AcceptInviteBody = z.infer<typeof AcceptInviteBody>;

/** `POST /projects/:projectId/members/:userId/password-reset`: a one-time link, shown only in this answer. */
export const PasswordResetLinkResponse = z.object({ resetUrl: z.string(), expiresAt: z.string() });
export type PasswordResetLinkResponse = z.infer<typeof PasswordResetLinkResponse>;
