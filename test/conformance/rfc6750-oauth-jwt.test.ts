import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ERROR_SCHEMA, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';
import { startIssuer, type TestIssuer } from '../helpers/issuer.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function assertInvalidToken(res: Reply, detail?: RegExp): void {
  assert.equal(res.status, 401, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, '401');
  assert.match(String(res.headers['www-authenticate']), /^Bearer realm="scimd", error="invalid_token", error_description="[^"]+"$/);
  if (detail) assert.match(res.body.detail, detail);
}

describe('rfc6750 OAuth 2.0 JWT access tokens (per-tenant issuer, RFC 9068 profile)', () => {
  let h: Harness;
  let idp: TestIssuer;
  const bearer = (token: string) => ({ token });

  before(async () => {
    // Cooldown 0: a token with an unknown kid fetches the JWKS again at once (key rotation below).
    h = await startHarness({ SCIMD_JWKS_REFRESH_COOLDOWN: '0' });
    idp = await startIssuer();
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
  });
  after(async () => {
    await h.close();
    await idp.close();
  });

  it('a valid token acts for the tenant its claim names, and only for it', async () => {
    const token = await idp.sign('svc-provisioning');
    const created = await h.request('POST', '/Users', { ...bearer(token), body: userBody('jwt-made@example.com') });
    assert.equal(created.status, 201, created.raw);
    assert.equal((await h.request('GET', `/Users/${created.body.id}`)).status, 200, 'the static token of acme sees it');
    assert.equal((await h.request('GET', `/Users/${created.body.id}`, { token: h.tokenB })).status, 404, 'globex does not');
  });

  it('static tokens keep working beside JWTs', async () => {
    assert.equal((await h.request('GET', '/Users')).status, 200);
  });

  it('key rotation: a token signed with a new key (unknown kid) fetches the JWKS again and is accepted', async () => {
    assert.equal((await h.request('GET', '/Users', bearer(await idp.sign('svc')))).status, 200);
    const before = idp.fetches();
    await idp.rotate();
    const res = await h.request('GET', '/Users', bearer(await idp.sign('svc')));
    assert.equal(res.status, 200, res.raw);
    assert.equal(idp.fetches(), before + 1);
  });

  it('an expired token → 401; within the clock skew (60 s by default) it still passes', async () => {
    assertInvalidToken(await h.request('GET', '/Users', bearer(await idp.sign('svc', { expiresIn: -120 }))), /expired/);
    assert.equal((await h.request('GET', '/Users', bearer(await idp.sign('svc', { expiresIn: -20 })))).status, 200);
  });

  it('a token not yet valid (nbf in the future beyond the skew) → 401', async () => {
    const nbf = Math.floor(Date.now() / 1000) + 600;
    assertInvalidToken(await h.request('GET', '/Users', bearer(await idp.sign('svc', { claims: { nbf } }))), /not valid yet/);
  });

  it('a wrong audience → 401', async () => {
    assertInvalidToken(await h.request('GET', '/Users', bearer(await idp.sign('svc', { claims: { aud: 'another-api' } }))), /"aud"/);
  });

  it('a wrong issuer → 401', async () => {
    const token = await idp.sign('svc', { claims: { iss: 'https://evil.example.com' } });
    assertInvalidToken(await h.request('GET', '/Users', bearer(token)), /no tenant trusts/);
  });

  it('a tenant claim naming another tenant, or none → 401', async () => {
    // globex has no issuer: a token of acme's issuer cannot act for it.
    assertInvalidToken(
      await h.request('GET', '/Users', bearer(await idp.sign('svc', { claims: { tenant: 'globex' } }))),
      /no tenant trusts/,
    );
    assertInvalidToken(
      await h.request('GET', '/Users', bearer(await idp.sign('svc', { claims: { tenant: undefined } }))),
      /no tenant trusts/,
    );
  });

  it('a token without sub → 401', async () => {
    assertInvalidToken(await h.request('GET', '/Users', bearer(await idp.sign('svc', { claims: { sub: undefined } }))), /"sub"/);
  });

  it('alg "none" (unsigned) → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: idp.issuer, aud: 'scimd', sub: 'svc', tenant: 'acme', exp: now + 300 })}.`;
    assertInvalidToken(await h.request('GET', '/Users', bearer(unsigned)), /algorithm/);
  });

  it('HS256 forged with the public key as the HMAC secret → 401', async () => {
    const jwk = idp.publicJwk();
    const forged = await new SignJWT({ iss: idp.issuer, aud: 'scimd', sub: 'svc', tenant: 'acme' })
      .setProtectedHeader({ alg: 'HS256', kid: jwk.kid! })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    assertInvalidToken(await h.request('GET', '/Users', bearer(forged)), /algorithm/);
  });

  it('a token signed by a key the issuer never published → 401', async () => {
    const stranger = await startIssuer();
    try {
      const token = await stranger.sign('svc', { claims: { iss: idp.issuer }, kid: idp.publicJwk().kid! });
      assertInvalidToken(await h.request('GET', '/Users', bearer(token)), /signature/);
    } finally {
      await stranger.close();
    }
  });

  it('a tampered payload → 401', async () => {
    const [header, , signature] = (await idp.sign('svc')).split('.');
    const now = Math.floor(Date.now() / 1000);
    const tampered = `${header}.${b64({ iss: idp.issuer, aud: 'scimd', sub: 'admin', tenant: 'acme', exp: now + 300 })}.${signature}`;
    assertInvalidToken(await h.request('GET', '/Users', bearer(tampered)), /signature/);
  });

  it('an issuer whose JWKS cannot be fetched → 503 with Retry-After (the token may be fine)', async () => {
    const gone = await startIssuer();
    await gone.close();
    await h.server.oauth.set('globex', { issuer: gone.issuer, jwksUrl: gone.jwksUrl, audience: 'scimd' });
    try {
      const res = await h.request('GET', '/Users', bearer(await gone.sign('svc', { claims: { tenant: 'globex' } })));
      assert.equal(res.status, 503, res.raw);
      assert.equal(res.headers['retry-after'], '5');
      assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
    } finally {
      await h.server.oauth.remove('globex');
    }
  });

  it('ServiceProviderConfig lists the JWT scheme for a tenant with an issuer, only the static one otherwise', async () => {
    const acme = (await h.request('GET', '/ServiceProviderConfig')).body.authenticationSchemes;
    assert.deepEqual(
      acme.map((s: { type: string; primary: boolean }) => [s.type, s.primary]),
      [
        ['oauthbearertoken', true],
        ['oauthbearertoken', false],
      ],
    );
    assert.match(acme[1].description, new RegExp(idp.issuer.replace(/[.]/g, '\\.')));
    assert.equal(acme[1].specUri, 'https://www.rfc-editor.org/info/rfc9068');
    const globex = (await h.request('GET', '/ServiceProviderConfig', { token: h.tokenB })).body.authenticationSchemes;
    assert.equal(globex.length, 1);
  });

  it('a disabled tenant: its JWTs are refused with 403, as its static tokens are (within the 1 s issuer cache)', async () => {
    const token = await idp.sign('svc');
    await h.server.tenants.disableTenant('acme');
    try {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const refused = await h.request('GET', '/Users', bearer(token));
      assert.equal(refused.status, 403, refused.raw);
      assert.deepEqual(refused.body.schemas, [ERROR_SCHEMA]);
      assert.match(refused.body.detail, /disabled/);
    } finally {
      await h.server.tenants.enableTenant('acme');
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await h.request('GET', '/Users', bearer(token))).status, 200);
  });

  it('removing the issuer stops its tokens at once in this process', async () => {
    const token = await idp.sign('svc');
    assert.equal((await h.request('GET', '/Users', bearer(token))).status, 200);
    await h.server.oauth.remove('acme');
    try {
      assertInvalidToken(await h.request('GET', '/Users', bearer(token)));
    } finally {
      await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
    }
  });
});
