import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { startIssuer, type TestIssuer } from '../../test/helpers/issuer.ts';
import { ScimError } from '../errors/scim-error.ts';
import { ASYMMETRIC_ALGORITHMS, createJwtVerifier, type JwtExpectations, peekJwt } from './jwt.ts';

/** A 401 invalid_token (RFC 6750 §3.1) with exactly this description. */
function refused(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [401, detail]);
    assert.match(error.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    return true;
  };
}

describe('RFC 9068 JWT access tokens, verified against the tenant issuer', () => {
  let idp: TestIssuer;
  let expect: JwtExpectations;
  before(async () => {
    idp = await startIssuer();
    expect = { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd', algorithms: ['RS256'], clockSkewSeconds: 30 };
  });
  after(() => idp.close());

  it('RFC 7519 §7.2: a token signed by the issuer with the right iss, aud and exp gives its claims', async () => {
    const verifier = createJwtVerifier({ refreshCooldownMs: 30_000 });
    const claims = await verifier.verify(await idp.sign('bjensen@example.com'), expect);
    assert.equal(claims.sub, 'bjensen@example.com');
    assert.equal(claims.iss, idp.issuer);
  });

  it('RFC 7519 §4.1.4/§4.1.5 exp and nbf, with the configured clock skew', async () => {
    const verifier = createJwtVerifier({ refreshCooldownMs: 30_000 });
    await assert.rejects(verifier.verify(await idp.sign('u', { expiresIn: -60 }), expect), refused('the access token has expired'));
    // Expired 10 s ago: within a 30 s skew.
    assert.equal((await verifier.verify(await idp.sign('u', { expiresIn: -10 }), expect)).sub, 'u');
    const later = Math.floor(Date.now() / 1000) + 120;
    await assert.rejects(
      verifier.verify(await idp.sign('u', { claims: { nbf: later } }), expect),
      refused('the access token is not valid yet (nbf)'),
    );
    // The verifier's own clock decides.
    const tomorrow = createJwtVerifier({ refreshCooldownMs: 30_000 }, () => new Date(Date.now() + 86_400_000));
    await assert.rejects(tomorrow.verify(await idp.sign('u'), expect), refused('the access token has expired'));
  });

  it('exp and sub are required; iss and aud must be the configured ones', async () => {
    const verifier = createJwtVerifier({ refreshCooldownMs: 30_000 });
    await assert.rejects(
      verifier.verify(await idp.sign('u', { claims: { exp: undefined } }), expect),
      refused('the access token has no "exp" claim'),
    );
    await assert.rejects(
      verifier.verify(await idp.sign('u', { claims: { sub: undefined } }), expect),
      refused('the access token has no "sub" claim'),
    );
    await assert.rejects(
      verifier.verify(await idp.sign('u', { claims: { iss: 'https://evil.example.com' } }), expect),
      refused(`the access token's "iss" claim is not what this tenant's issuer configuration requires`),
    );
    await assert.rejects(
      verifier.verify(await idp.sign('u', { claims: { aud: 'another-api' } }), expect),
      refused(`the access token's "aud" claim is not what this tenant's issuer configuration requires`),
    );
  });

  it('RFC 8725 §3.1: only the allowed algorithms; a forged signature, an unknown key, a malformed token are refused', async () => {
    const verifier = createJwtVerifier({ refreshCooldownMs: 30_000 });
    await assert.rejects(
      verifier.verify(await idp.sign('u'), { ...expect, algorithms: ['ES256'] }),
      refused("the access token's signature algorithm is not allowed for this tenant"),
    );
    const [header, payload] = (await idp.sign('u')).split('.');
    const other = (await idp.sign('someone-else')).split('.')[2];
    await assert.rejects(verifier.verify(`${header}.${payload}.${other}`, expect), refused("the access token's signature is not valid"));
    await assert.rejects(
      verifier.verify(await idp.sign('u', { kid: 'key-unknown' }), expect),
      refused("no key of the issuer's JWKS matches the access token"),
    );
    await assert.rejects(verifier.verify('x.y.z', expect), refused('the access token is malformed or uses an unsupported key'));
    // HMAC with the public key as the secret: the classic forgery, refused whatever the key.
    const forged = await new SignJWT({ sub: 'u', iss: idp.issuer, aud: 'scimd', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(new TextEncoder().encode(JSON.stringify(idp.publicJwk())));
    await assert.rejects(
      verifier.verify(forged, { ...expect, algorithms: [...ASYMMETRIC_ALGORITHMS] }),
      refused("the access token's signature algorithm is not allowed for this tenant"),
    );
    assert.ok(!(ASYMMETRIC_ALGORITHMS as readonly string[]).some((a) => a.startsWith('HS') || a === 'none'));
  });

  it('one JWKS fetch serves many tokens; a new kid (RFC 7517 key rotation) fetches it again', async () => {
    const fresh = await startIssuer();
    try {
      const verifier = createJwtVerifier({ refreshCooldownMs: 0 });
      const at = { ...expect, issuer: fresh.issuer, jwksUrl: fresh.jwksUrl };
      await verifier.verify(await fresh.sign('a'), at);
      await verifier.verify(await fresh.sign('b'), at);
      assert.equal(fresh.fetches(), 1);
      await fresh.rotate();
      assert.equal((await verifier.verify(await fresh.sign('c'), at)).sub, 'c');
      assert.equal(fresh.fetches(), 2);
    } finally {
      await fresh.close();
    }
  });

  it('a JWKS that cannot be had is 503 with Retry-After, not a 401: the token may be fine', async () => {
    const broken = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"no":"keys"}'),
    );
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const port = (broken.address() as AddressInfo).port;
    try {
      for (const jwksUrl of [`http://127.0.0.1:${port}/jwks.json`, 'http://127.0.0.1:9/jwks.json']) {
        const verifier = createJwtVerifier({ refreshCooldownMs: 30_000, timeoutMs: 2000 });
        await assert.rejects(verifier.verify(await idp.sign('u'), { ...expect, jwksUrl }), (error: unknown) => {
          assert.ok(error instanceof ScimError, String(error));
          assert.deepEqual(
            [error.status, error.headers, error.detail],
            [503, { 'retry-after': '5' }, "the token issuer's keys (JWKS) cannot be fetched now; retry later"],
          );
          return true;
        });
      }
    } finally {
      broken.close();
    }
  });

  it('peekJwt reads the claims unverified, to find the issuer; a static token is no JWT', async () => {
    assert.equal(peekJwt(await idp.sign('peek', { claims: { tenant: 'globex' } }))?.['tenant'], 'globex');
    for (const notJwt of ['scimd_abc', 'a.b', 'a.b.c.d', 'x.y.z', 'eyJhbGciOiJub25lIn0.bm90IGpzb24.', '', 'a b.c.d']) {
      assert.equal(peekJwt(notJwt), undefined, notJwt);
    }
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    assert.equal(peekJwt(unsigned)?.sub, 'x');
  });
});
