import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESET_TTL_MS } from '../lib/password-reset.ts';
import { randomToken, sha256Hex } from '../lib/crypto.ts';
import { resetPasswordSql } from './admin-sql.ts';
import { localConfig } from './config.ts';
import { run } from './wrangler.ts';

const USAGE = `Usage: npm run admin -- reset-password <email> [--url <app url>] [--remote -c <wrangler config>]

  reset-password   prints a one-time link (valid 24 h) with which the account of <email> chooses a new
                   password; using it ends every session of the account. For an operator of a
                   self-hosted install without mail. Local D1 by default; --remote with the deployed
                   API Worker's wrangler config (the one \`npm run deploy\` generated) for production.`;

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const [command, email] = args.filter((a, i) => !a.startsWith('-') && !['--url', '-c'].includes(args[i - 1] ?? ''));
if (command !== 'reset-password' || !email || !email.includes('@')) {
  console.error(USAGE);
  process.exit(2);
}
const remote = args.includes('--remote');
const cfg = localConfig();
const url = opt('--url') ?? `http://127.0.0.1:${cfg.port}`;
const token = randomToken(32);
const sql = resetPasswordSql({ email, tokenHash: await sha256Hex(token), now: Date.now(), ttlMs: RESET_TTL_MS });
const dir = mkdtempSync(join(tmpdir(), 'sieve-admin-'));
try {
  const file = join(dir, 'reset.sql');
  writeFileSync(file, sql, { mode: 0o600 });
  const where = remote ? ['--remote', '-c', opt('-c') ?? 'wrangler.toml'] : ['--local', '-c', 'wrangler.toml', '--persist-to', cfg.stateDir];
  const out = await run('wrangler', ['d1', 'execute', 'DB', ...where, '--json', '--file', file], { quiet: true });
  const json = JSON.parse(out.slice(out.indexOf('['))) as { results?: { user_id?: string }[] }[];
  if (!json.some((r) => r.results?.some((row) => row.user_id))) {
    console.error(`No account has the email ${email}.`);
    process.exit(1);
  }
  console.log(`One-time password reset link for ${email} (valid 24 h, shown once):\n\n  ${url.replace(/\/$/, '')}/reset-password/${token}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
