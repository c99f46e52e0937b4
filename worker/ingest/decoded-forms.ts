/**
 * The decoded reading of a stored value, so redaction sees an address written `john%40example.com`,
 * `john\u0040example.com`, `john&#64;example.com` or carried as base64 bytes. Pure; no allocation
 * unless the value holds an escape or looks like base64.
 */

export interface DecodedView {
  /** The value with URL-encoding, JSON `\u` escapes and HTML character references undone (up to 3 layers), or base64 bytes as UTF-8 text. */
  text: string;
  /** The value was base64: a redacted view is stored base64-encoded again. */
  base64: boolean;
}

const ESCAPES = /(?:%[0-9A-Fa-f]{2})+|\\u[0-9A-Fa-f]{4}|&#[xX][0-9A-Fa-f]{1,6};|&#\d{1,7};|&[A-Za-z]{2,8};/g;

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", commat: '@', period: '.', plus: '+', hyphen: '-', dash: '-',
  num: '#', colon: ':', sol: '/', nbsp: ' ', lowbar: '_', percnt: '%', equals: '=',
};

const utf8 = new TextDecoder();

function unescapeOne(m: string): string {
  const c = m.charCodeAt(0);
  if (c === 37 /* % */) {
    const bytes = new Uint8Array(m.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(m.slice(i * 3 + 1, i * 3 + 3), 16);
    return utf8.decode(bytes);
  }
  if (c === 92 /* \ */) return String.fromCharCode(parseInt(m.slice(2), 16));
  if (m.charCodeAt(1) === 35 /* # */) {
    const hex = m[2] === 'x' || m[2] === 'X';
    const cp = parseInt(m.slice(hex ? 3 : 2, -1), hex ? 16 : 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  }
  return NAMED[m.slice(1, -1).toLowerCase()] ?? m;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX = /^[0-9A-Fa-f]+$/;
const CONTROL = /[\x00-\x08\x0e-\x1f\x7f\ufffd]/;

function base64Text(value: string): string | null {
  // Hex ids and hashes fit the base64 alphabet too; text encoded as base64 is almost never all hex.
  if (value.length < 8 || value.length % 4 !== 0 || !BASE64.test(value) || HEX.test(value)) return null;
  let bin: string;
  try {
    bin = atob(value);
  } catch {
    return null;
  }
  let ascii = true;
  for (let i = 0; i < bin.length; i++) {
    const b = bin.charCodeAt(i);
    // Control bytes: binary, not text anyone typed.
    if (b < 32 ? b !== 9 && b !== 10 && b !== 13 : b === 127) return null;
    if (b > 127) ascii = false;
  }
  if (ascii) return bin;
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const text = utf8.decode(bytes);
  return CONTROL.test(text) ? null : text;
}

/** The value's decoded reading, or null when it has none (the common case, found with three indexOf). */
export function decodedView(value: string): DecodedView | null {
  if (value.indexOf('%') >= 0 || value.indexOf('\\u') >= 0 || value.indexOf('&') >= 0) {
    let text = value;
    for (let i = 0; i < 3; i++) {
      ESCAPES.lastIndex = 0;
      const next = text.replace(ESCAPES, unescapeOne);
      if (next === text) break;
      text = next;
    }
    return text === value ? null : { text, base64: false };
  }
  const text = base64Text(value);
  return text === null ? null : { text, base64: true };
}

/** What is stored for a view that redaction changed: the redacted text, base64-encoded again if it was bytes. */
export function storedForm(view: DecodedView, redacted: string): string {
  if (!view.base64) return redacted;
  const bytes = new TextEncoder().encode(redacted);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}
