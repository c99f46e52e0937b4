import type { RedactionDetector } from '../schemas/projects';

/**
 * The built-in redaction detectors. Every pattern starts on a literal or behind a negative
 * lookbehind, so a scan stays linear on megabyte values (no retry at every position of a long
 * run). Matches a plain pattern cannot judge (Luhn, key entropy, phone digit counts) are checked
 * by `accept`; `keep` is the part of the match that stays (the `password=` in `password=hunter2`).
 */
export interface DetectorRule {
  detector: RedactionDetector;
  /** The marker's label: `[REDACTED:<label>]`. */
  label: string;
  re: RegExp;
  /** Capture group that stays before the marker (a key name, "Bearer "). */
  keepBefore?: number;
  /** Capture group that stays after the marker (the "@host" of a URL with credentials). */
  keepAfter?: number;
  accept?: (match: string, groups: (string | undefined)[]) => boolean;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');
const hasDigit = (s: string) => /\d/.test(s);
const mixedCase = (s: string) => /[a-z]/.test(s) && /[A-Z]/.test(s);

/** The Luhn checksum every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Whether the number has a card network's prefix and length (Visa, Mastercard, Amex, Discover,
 * JCB, Diners, UnionPay, Maestro, Mir). Luhn alone passes one random number in ten; requiring a
 * network keeps millisecond and nanosecond timestamps (which start with 1) and most ids out.
 */
export function cardNetworkMatches(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  switch (d[0]) {
    case '4':
      return n === 13 || n === 16 || n === 19;
    case '5':
      return p2 >= 51 && p2 <= 55 ? n === 16 : n >= 13 && n <= 19;
    case '2':
      return (p4 >= 2221 && p4 <= 2720 && n === 16) || (p4 >= 2200 && p4 <= 2204 && n >= 16);
    case '3':
      if (p2 === 34 || p2 === 37) return n === 15;
      if (p4 >= 3528 && p4 <= 3589) return n >= 16;
      return (p2 === 36 || p2 === 38 || p2 === 39 || (p4 >= 3000 && p4 <= 3059)) && n >= 14;
    case '6': {
      // Discover 6011/644–649/65, UnionPay 62 (16–19 digits); Maestro 6304/6759/676770/676774 (13–19).
      // Not every 6…: long numeric ids (snowflakes, int64 hashes) starting with 6 are common.
      const p3 = Number(d.slice(0, 3));
      if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || p2 === 62) return n >= 16;
      return p4 === 6304 || p4 === 6759 || d.startsWith('676770') || d.startsWith('676774');
    }
    default:
      return false;
  }
}

/** A card number: 13–19 digits (single spaces or dashes between them), a known network, Luhn-valid. */
export function isCardNumber(text: string): boolean {
  const d = digitsOf(text);
  return d.length >= 13 && d.length <= 19 && cardNetworkMatches(d) && luhnValid(d);
}

// Key names whose value is a secret, in `password=…`/`api_key: …` text.
const SECRET_NAME =
  'password|passwd|passphrase|secret|client[_-]?secret|secret[_-]?key|private[_-]?key|api[_-]?key|apikey|access[_-]?key|(?:access|auth|refresh|session|id)[_-]?token';

/**
 * Attribute or JSON keys whose string value is a secret as a whole (`db.password`, `apiKey`,
 * `http.request.header.authorization`, a `cookie` header), whatever the value looks like.
 */
export const SECRET_KEY = new RegExp(`(?:${SECRET_NAME}|authorization|cookie)$`, 'i');

/** Raw JSON text with a SECRET_KEY name as an object key: worth parsing to redact its value. */
export const SECRET_KEY_IN_JSON = new RegExp(`(?:${SECRET_NAME}|authorization|cookie)"\\s*:`, 'i');

function keyValueAccept(_m: string, g: (string | undefined)[]): boolean {
  // After "password:" prose follows as often as a secret ("Password: must be 8 characters"); a
  // value of plain lowercase letters there is left alone. After "=" anything counts.
  const sep = g[1] ?? '';
  const value = g[2] ?? '';
  return sep.includes('=') || !/^[a-z]+$/.test(value);
}

const SECRETS: DetectorRule[] = [
  // PEM private keys; one cut off before its END line is redacted to the end of the value.
  { detector: 'secrets', label: 'secret', re: /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----|$)/g },
  // JWTs: base64url JSON header and payload (both start with `{"`, hence eyJ) and a signature.
  { detector: 'secrets', label: 'secret', re: /(?<![\w-])eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/g },
  // OpenAI (sk-, sk-proj-) and Anthropic (sk-ant-) keys; random keys mix case and digits, slugs don't.
  { detector: 'secrets', label: 'secret', re: /(?<![\w-])sk-[A-Za-z0-9_-]{20,}/g, accept: (m) => hasDigit(m) && mixedCase(m.slice(3)) },
  // Stripe secret and restricted keys, webhook secrets.
  { detector: 'secrets', label: 'secret', re: /(?<![\w-])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|(?<![\w-])whsec_[A-Za-z0-9]{20,}/g },
  // AWS access key ids.
  { detector: 'secrets', label: 'secret', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g },
  // GitHub, GitLab, Slack, Google, Hugging Face, npm, SendGrid tokens.
  {
    detector: 'secrets',
    label: 'secret',
    re: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z]{34,}|npm_[A-Za-z0-9]{36}|SG\.[\w-]{22}\.[\w-]{43})/g,
  },
  // Authorization header values: Bearer tokens (random-looking) and Basic credentials (base64 of user:pass).
  {
    detector: 'secrets',
    label: 'secret',
    re: /(\bbearer\s+)([A-Za-z0-9._~+/-]{16,}=*)/gi,
    keepBefore: 1,
    accept: (_m, g) => hasDigit(g[1] ?? '') || mixedCase(g[1] ?? ''),
  },
  { detector: 'secrets', label: 'secret', re: /(\bbasic\s+)([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])/gi, keepBefore: 1, accept: (_m, g) => basicCredentials(g[1] ?? '') },
  // password=…, api_key: …, DB_PASSWORD="…": the name stays, the value goes.
  {
    detector: 'secrets',
    label: 'secret',
    re: new RegExp(`((?<![A-Za-z0-9])(?:${SECRET_NAME})["']?(\\s*[=:]\\s*)["']?)([^\\s"'&,;<>\\\\]{2,})`, 'gi'),
    keepBefore: 1,
    accept: keyValueAccept,
  },
  // Credentials in a URL: scheme://user:password@host (the user and host stay).
  { detector: 'secrets', label: 'secret', re: /(:\/\/[^\s/:@]{1,100}:)([^\s/@]{1,200})(@)/g, keepBefore: 1, keepAfter: 3 },
];

function basicCredentials(b64: string): boolean {
  try {
    return atob(b64).includes(':');
  } catch {
    return false;
  }
}

const CARD: DetectorRule = {
  detector: 'creditCard',
  label: 'credit_card',
  // Digits with single spaces or dashes between them, or in groups of four split by dots (4111.1111.1111.1111).
  re: /(?<![\w.+-])(?:\d(?:[ -]?\d){12,18}|\d{4}\.\d{4}\.\d{4}\.\d{1,7})(?!\w|\.\d)/g,
  accept: (m) => isCardNumber(m),
};

// Names like icon@2x.png look like addresses; a file extension is not a top-level domain people mail.
const FILE_TLDS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'js', 'ts', 'css', 'json', 'txt', 'md', 'html', 'py']);

const EMAIL: DetectorRule = {
  detector: 'email',
  label: 'email',
  re: /(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g,
  accept: (m) => !FILE_TLDS.has(m.slice(m.lastIndexOf('.') + 1).toLowerCase()),
};

/**
 * Phone numbers as people write them: international (+44 20 7946 0958, +1 (415) 555-2671,
 * +4915112345678), North American with punctuation ((415) 555-2671, 415-555-2671) and national
 * numbers with a trunk 0 and spaces or dashes (020 7946 0958, 06 12 34 56 78). A run of digits
 * without + or punctuation (a timestamp, an id) is never a phone number here.
 */
const PHONE: DetectorRule = {
  detector: 'phone',
  label: 'phone',
  re: /(?<![\w+.\/-])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,5}|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4}|0\d{1,4}(?:[ -]\d{2,4}){2,4})(?!\w|[.\/-]\d)/g,
  accept: (m) => {
    const n = digitsOf(m).length;
    return m.startsWith('+') ? n >= 8 && n <= 15 : m.startsWith('0') ? n >= 9 && n <= 12 : n === 10;
  },
};

/** All built-in rules in the order they run: secrets first, so a key's digits never read as a card. */
export const DETECTOR_RULES: readonly DetectorRule[] = [...SECRETS, CARD, EMAIL, PHONE];

/**
 * A cheap necessary condition per detector: a value that fails its detector's prefilter cannot
 * match any of its rules, so the full patterns (with their lookbehinds) run on almost nothing.
 * Each is a superset of its rules: a literal every secret rule needs (case-insensitive words for
 * the rules that ignore case), 13 digits for a card, an @ for an email, a phone shape.
 */
export const DETECTOR_PREFILTERS: Record<RedactionDetector, readonly RegExp[]> = {
  // Two simple passes beat one with case-folded words; `authori` and `cookie` make it cover SECRET_KEY_IN_JSON too.
  secrets: [/eyJ|sk[-_]|rk_|whsec_|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox|xapp-|AIza|hf_|npm_|SG\.|-----BEGIN|:\/\//, /bearer|basic|pass|secret|key|token|authori|cookie/i],
  creditCard: [/\d(?:[ .-]?\d){12}/],
  email: [/@/],
  phone: [/\+\d|\(\d{3}\)|\d{3}[.-]\d{3}|0\d{1,4}[ -]\d{2}/],
};

/** Values shorter than this cannot hold any built-in match (the shortest is an email, a@b.co). */
export const MIN_DETECTABLE_CHARS = 6;
