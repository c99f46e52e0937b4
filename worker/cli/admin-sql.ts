const q = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The statement `npm run admin -- reset-password` runs: a one-time reset token for the account of
 * `email` (withdrawing its earlier unused ones), returning the user id so the CLI can tell an unknown
 * email. Only the token's hash is stored, as the API's reset links do.
 */
export function resetPasswordSql({ email, tokenHash, now, ttlMs }: { email: string; tokenHash: string; now: number; ttlMs: number }): string {
  const user = `(SELECT id FROM users WHERE email = ${q(email.toLowerCase())})`;
  return [
    `DELETE FROM password_resets WHERE used_at IS NULL AND user_id = ${user};`,
    `INSERT INTO password_resets (token_hash, user_id, issued_by, created_at, expires_at) SELECT ${q(tokenHash)}, id, NULL, ${now}, ${now + ttlMs} FROM users WHERE email = ${q(email.toLowerCase())} RETURNING user_id;`,
  ].join('\n');
}
