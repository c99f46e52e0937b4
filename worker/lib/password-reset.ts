/** How long a password reset link works (admin-issued or from `npm run admin -- reset-password`). */
export const RESET_TTL_MS = 24 * 3600_000;
