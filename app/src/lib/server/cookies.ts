import type { Cookies } from '@sveltejs/kit';

type CookieOptions = Parameters<Cookies['set']>[2];

/** Parses one Set-Cookie header into what `cookies.set` takes. */
export function parseSetCookie(header: string): { name: string; value: string; options: CookieOptions } | null {
  const [pair, ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  // The API's value is already encoded; pass it through as is.
  const options: CookieOptions = { path: '/', httpOnly: false, secure: false, encode: (v: string) => v };
  for (const attr of attrs) {
    const i = attr.indexOf('=');
    const key = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attr.slice(i + 1).trim();
    if (key === 'path') options.path = val || '/';
    else if (key === 'domain') options.domain = val;
    else if (key === 'max-age') options.maxAge = Number(val);
    else if (key === 'expires') options.expires = new Date(val);
    else if (key === 'httponly') options.httpOnly = true;
    else if (key === 'secure') options.secure = true;
    else if (key === 'samesite') options.sameSite = val.toLowerCase() as 'lax' | 'strict' | 'none';
  }
  return { name, value, options };
}

/** Copies the API response's cookies (session set or cleared) onto the response to the browser. */
export function relaySetCookies(res: Response, cookies: Cookies): void {
  for (const header of res.headers.getSetCookie()) {
    const parsed = parseSetCookie(header);
    if (parsed) cookies.set(parsed.name, parsed.value, parsed.options);
  }
}
