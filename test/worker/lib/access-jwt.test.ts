import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAccessJwt, type Jwks } from '../../../worker/lib/access-jwt';
import { AUD, b64, claimsFor, keyPair, nowS, publicJwk, sign, TEAM } from '../access-keys';

const cfg = { teamDomain: TEAM, aud: AUD };
let signer: CryptoKeyPair;
let jwks: Jwks;

beforeAll(async () => {
  signer = await keyPair();
  jwks = { keys: [await publicJwk(signer, 'k1')] };
});

describe('verifyAccessJwt', () => {
  it('returns the lowercased email of a valid token, with the team domain given as a URL or bare', async () => {
    const token = await sign(signer.privateKey, claimsFor('Ada@Example.test', { aud: AUD }));
    expect(await verifyAccessJwt(token, cfg, jwks)).toEqual({ email: 'ada@example.test' });
    expect(await verifyAccessJwt(token, { ...cfg, teamDomain: `https://${TEAM}/` }, jwks)).toEqual({ email: 'ada@example.test' });
  });

  it.each([
    ['wrong audience', { aud: ['another-app'] }],
    ['wrong issuer', { iss: 'https://evil.cloudflareaccess.com' }],
    ['expired', { exp: nowS() - 600 }],
    ['expired', { exp: undefined }],
    ['not yet valid', { nbf: nowS() + 600 }],
    ['no email', { email: undefined }],
  ])('refuses a token: %s', async (reason, over) => {
    const token = await sign(signer.privateKey, claimsFor('a@example.test', over));
    await expect(verifyAccessJwt(token, cfg, jwks)).rejects.toThrow(reason);
  });

  it('tolerates a minute of clock skew', async () => {
    const token = await sign(signer.privateKey, claimsFor('a@example.test', { exp: nowS() - 30, nbf: nowS() + 30 }));
    expect((await verifyAccessJwt(token, cfg, jwks)).email).toBe('a@example.test');
  });

  it('refuses a signature by another key, an unknown key id, alg none and garbage', async () => {
    const stranger = await keyPair();
    await expect(verifyAccessJwt(await sign(stranger.privateKey, claimsFor('a@example.test')), cfg, jwks)).rejects.toThrow('bad signature');
    const unknown = verifyAccessJwt(await sign(signer.privateKey, claimsFor('a@example.test'), { alg: 'RS256', kid: 'k9' }), cfg, jwks);
    await expect(unknown).rejects.toMatchObject({ unknownKey: true });
    await expect(verifyAccessJwt(`${b64({ alg: 'none', kid: 'k1' })}.${b64(claimsFor('a@example.test'))}.`, cfg, jwks)).rejects.toThrow('algorithm');
    await expect(verifyAccessJwt('not-a-jwt', cfg, jwks)).rejects.toThrow('malformed');
    await expect(verifyAccessJwt('%%%.%%%.%%%', cfg, jwks)).rejects.toThrow('malformed');
  });
});
