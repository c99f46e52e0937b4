/**
 * Verification of Cloudflare Access application tokens (the `Cf-Access-Jwt-Assertion` header):
 * RS256 signature against the team's certs, audience, issuer and lifetime. No I/O: the caller
 * supplies the certs.
 */

export interface AccessConfig {
  /** `<team>.cloudflareaccess.com`, with or without `https://`. */
  teamDomain: string;
  /** The application's AUD tag. */
  aud: string;
}

export interface Jwks {
  keys: (JsonWebKey & { kid?: string })[];
}

/** Why a token was refused; callers answer 401 whatever the reason. */
export class AccessTokenError extends Error {
  constructor(
    message: string,
    /** True when the token names a key the certs lack: worth one refetch, keys rotate. */
    readonly unknownKey = false,
  ) {
    super(message);
  }
}

/** Tolerated clock difference between Cloudflare's edge and this isolate. */
const LEEWAY_S = 60;
const encoder = new TextEncoder();

export const accessIssuer = (teamDomain: string): string => `https://${teamDomain.replace(/^https?:\/\//, '').replace(/\/+$/, '')}`;

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function decodeJson(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(new TextDecoder().decode(fromBase64Url(part))) as unknown;
    if (value && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AccessTokenError('malformed token');
}

/** The verified email of an Access token; throws AccessTokenError when anything does not hold. */
export async function verifyAccessJwt(token: string, cfg: AccessConfig, jwks: Jwks, now = Date.now()): Promise<{ email: string }> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new AccessTokenError('malformed token');
  const [h, p, sig] = parts as [string, string, string];
  const header = decodeJson(h);
  if (header.alg !== 'RS256') throw new AccessTokenError(`unexpected algorithm ${String(header.alg)}`);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new AccessTokenError('unknown signing key', true);
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = fromBase64Url(sig);
  } catch {
    throw new AccessTokenError('malformed signature');
  }
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, encoder.encode(`${h}.${p}`)))) {
    throw new AccessTokenError('bad signature');
  }
  const claims = decodeJson(p);
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.includes(cfg.aud)) throw new AccessTokenError('wrong audience');
  if (claims.iss !== accessIssuer(cfg.teamDomain)) throw new AccessTokenError('wrong issuer');
  const nowS = now / 1000;
  if (typeof claims.exp !== 'number' || claims.exp + LEEWAY_S <= nowS) throw new AccessTokenError('expired');
  if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_S > nowS) throw new AccessTokenError('not yet valid');
  if (typeof claims.email !== 'string' || !claims.email) throw new AccessTokenError('no email (a service token?)');
  return { email: claims.email.toLowerCase() };
}
