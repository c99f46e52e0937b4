import { toBase64Url } from '../../worker/lib/crypto';

/** Local RS256 keys and tokens shaped like Cloudflare Access's, for tests that must not touch the network. */

export const TEAM = 'sieve-test.cloudflareaccess.com';
export const AUD = 'aud-tag-for-tests';
const ALG = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

export const b64 = (v: unknown): string => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));

export async function keyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function publicJwk(pair: CryptoKeyPair, kid: string): Promise<JsonWebKey & { kid: string }> {
  return { ...((await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey), kid };
}

export async function sign(
  privateKey: CryptoKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' },
): Promise<string> {
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(input));
  return `${input}.${toBase64Url(new Uint8Array(sig))}`;
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

export const claimsFor = (email: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  aud: [AUD],
  iss: `https://${TEAM}`,
  email,
  iat: nowS(),
  exp: nowS() + 3600,
  ...over,
});
