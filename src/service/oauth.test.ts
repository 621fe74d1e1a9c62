import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer, type TestIssuer } from '../../test/helpers/issuer.ts';
import { createJwtVerifier } from '../auth/jwt.ts';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createOAuthService, type OAuthService, parseOAuthSettings } from './oauth.ts';
import { PROFILES } from './profiles.ts';
import { CredentialRefused } from './tenants.ts';

const base = { issuer: 'https://login.example.com/tenant-1/v2.0', jwksUrl: 'https://login.example.com/keys', audience: 'api://scimd' };

function refused(detail: RegExp) {
  return (error: unknown) => error instanceof ScimError && error.status === 400 && detail.test(error.detail);
}

describe('OAuth issuer settings', () => {
  it('defaults: claim "tenant" equal to the tenant name, RS256, 60 s skew, sub = userName', () => {
    assert.deepEqual(parseOAuthSettings(base, 'acme'), {
      ...base,
      tenantClaim: 'tenant',
      tenantValue: 'acme',
      algorithms: ['RS256'],
      clockSkewSeconds: 60,
      subjectAttribute: 'userName',
    });
  });

  it('takes every field, algorithms also as a comma-separated string (CLI)', () => {
    const parsed = parseOAuthSettings(
      { ...base, tenantClaim: 'tid', tenantValue: '72f988bf', algorithms: 'RS256, ES256', clockSkewSeconds: '0', subjectAttribute: 'id' },
      'acme',
    );
    assert.deepEqual(parsed.algorithms, ['RS256', 'ES256']);
    assert.equal(parsed.clockSkewSeconds, 0);
    assert.equal(parsed.tenantClaim, 'tid');
    assert.equal(parsed.tenantValue, '72f988bf');
    assert.equal(parsed.subjectAttribute, 'id');
  });

  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['alg none', { ...base, algorithms: ['none'] }, /"none" and HMAC/],
    ['HS256', { ...base, algorithms: ['RS256', 'HS256'] }, /algorithm "HS256" is not allowed/],
    ['an empty algorithm list', { ...base, algorithms: [] }, /non-empty list/],
    ['a JWKS over plain http', { ...base, jwksUrl: 'http://keys.example.com/jwks' }, /https URL \(http only for localhost\)/],
    ['a relative JWKS URL', { ...base, jwksUrl: '/keys' }, /absolute URL/],
    ['no issuer', { jwksUrl: base.jwksUrl, audience: 'x' }, /"issuer" is required/],
    ['no audience', { issuer: base.issuer, jwksUrl: base.jwksUrl }, /"audience" is required/],
    ['a skew of 10 minutes', { ...base, clockSkewSeconds: 600 }, /0 to 300/],
    ['a control character', { ...base, audience: 'a\nb' }, /printable/],
    ['an unknown field', { ...base, secret: 'x' }, /unknown field\(s\) secret/],
    ['another subject attribute', { ...base, subjectAttribute: 'emails' }, /userName, id/],
  ];
  for (const [name, input, detail] of bad) {
    it(`refuses ${name} with 400`, () => {
      assert.throws(() => parseOAuthSettings(input, 'acme'), refused(detail));
    });
  }

  it('refuses blank and over-long values, a list with a non-string, a skew that is not a whole number; trims', () => {
    assert.throws(() => parseOAuthSettings({ ...base, audience: '   ' }, 'acme'), refused(/"audience" is required/));
    assert.throws(() => parseOAuthSettings({ ...base, audience: 'a'.repeat(2049) }, 'acme'), refused(/at most 2048 printable/));
    assert.equal(parseOAuthSettings({ ...base, audience: 'a'.repeat(2048) }, 'acme').audience.length, 2048);
    assert.equal(parseOAuthSettings({ ...base, audience: '  api://scimd  ' }, 'acme').audience, 'api://scimd');
    assert.throws(() => parseOAuthSettings({ ...base, algorithms: ['RS256', 7] }, 'acme'), refused(/non-empty list/));
    assert.throws(() => parseOAuthSettings({ ...base, clockSkewSeconds: '1.5' }, 'acme'), refused(/0 to 300/));
    assert.throws(() => parseOAuthSettings({ ...base, clockSkewSeconds: 'x30' }, 'acme'), refused(/0 to 300/));
    assert.throws(() => parseOAuthSettings({ ...base, clockSkewSeconds: 2.5 }, 'acme'), refused(/0 to 300/));
    assert.throws(() => parseOAuthSettings({ ...base, clockSkewSeconds: -1 }, 'acme'), refused(/0 to 300/));
    assert.equal(parseOAuthSettings({ ...base, clockSkewSeconds: '300' }, 'acme').clockSkewSeconds, 300);
    assert.throws(() => parseOAuthSettings({ ...base, clockSkewSeconds: 301 }, 'acme'), refused(/0 to 300/));
    for (const input of [null, [], 'x']) assert.throws(() => parseOAuthSettings(input, 'acme'), refused(/expected a JSON object/));
  });

  it('allows http JWKS on every loopback name: localhost, 127.0.0.1, [::1]', () => {
    for (const host of ['localhost', '[::1]']) {
      assert.equal(
        parseOAuthSettings({ ...base, jwksUrl: `http://${host}:8081/jwks.json` }, 'acme').jwksUrl,
        `http://${host}:8081/jwks.json`,
      );
    }
  });

  it('allows http JWKS on loopback (local setups and tests)', () => {
    assert.equal(
      parseOAuthSettings({ ...base, jwksUrl: 'http://127.0.0.1:8081/jwks.json' }, 'acme').jwksUrl,
      'http://127.0.0.1:8081/jwks.json',
    );
  });
});

/** A ScimError with this status and detail. */
function scim(status: number, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [status, detail]);
    return true;
  };
}

describe('per-tenant OAuth issuers and the JWT access tokens they sign (docs/oauth.md)', () => {
  let store: Store;
  let idp: TestIssuer;
  let oauth: OAuthService;
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const NO_TRUST = 'no tenant trusts this issuer with this tenant claim';
  const settings = () => ({ issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    for (const [id, name] of [
      ['t-1', 'acme'],
      ['t-2', 'globex'],
      ['t-3', 'initech'],
    ]) {
      await store.createTenant({ id: id!, name: name!, createdAt: '2026-03-01T00:00:00.000Z' });
    }
    idp = await startIssuer();
    oauth = createOAuthService({ store, verifier: createJwtVerifier({ refreshCooldownMs: 30_000 }), clock });
  });
  after(async () => {
    await idp.close();
    store.close();
  });

  it("set, show, list and remove a tenant's issuer; 404 for an unknown tenant or a tenant without one", async () => {
    const record = await oauth.set('acme', settings());
    assert.deepEqual(
      [record.tenantId, record.tenantName, record.issuer, record.tenantClaim, record.tenantValue, record.createdAt],
      ['t-1', 'acme', idp.issuer, 'tenant', 'acme', '2026-03-01T10:00:00.000Z'],
    );
    assert.deepEqual((await oauth.show('acme')).jwksUrl, idp.jwksUrl);
    assert.equal((await oauth.issuerOf('t-1'))?.audience, 'scimd');
    assert.equal(await oauth.issuerOf('t-2'), undefined);
    await oauth.set('globex', { ...settings(), tenantValue: 'globex-id', subjectAttribute: 'id' });
    assert.deepEqual((await oauth.list()).map((r) => r.tenantName).sort(), ['acme', 'globex']);
    await assert.rejects(oauth.set('nobody', settings()), scim(404, 'no tenant named "nobody"'));
    await assert.rejects(oauth.show('nobody'), scim(404, 'no tenant named "nobody"'));
    await assert.rejects(oauth.remove('nobody'), scim(404, 'no tenant named "nobody"'));
    await assert.rejects(oauth.show('initech'), scim(404, 'tenant "initech" has no OAuth issuer'));
    await assert.rejects(oauth.remove('initech'), scim(404, 'tenant "initech" has no OAuth issuer'));
  });

  it('RFC 9068: a token of a trusted issuer acts for the tenant its tenant claim names, as its sub', async () => {
    const principal = await oauth.authenticate(await idp.sign('bjensen@example.com'));
    assert.deepEqual(principal, {
      tenantId: 't-1',
      tenantName: 'acme',
      tokenId: 'jwt:bjensen@example.com',
      profile: PROFILES.lenient,
      subject: { value: 'bjensen@example.com', attribute: 'userName' },
    });
    const other = await oauth.authenticate(await idp.sign('2819c223', { claims: { tenant: 'globex-id' } }));
    assert.deepEqual([other.tenantName, other.subject], ['globex', { value: '2819c223', attribute: 'id' }]);
    await store.setTenantProfile('t-1', { name: 'strict', overrides: {} });
    now += 1000;
    assert.equal((await oauth.authenticate(await idp.sign('x'))).profile, PROFILES.strict, "the tenant's profile");
    await store.setTenantProfile('t-1', { name: 'lenient', overrides: {} });
  });

  it('RFC 6750 §3.1 invalid_token: not a JWT, no iss, an issuer or tenant claim no tenant trusts, no sub', async () => {
    await assert.rejects(oauth.authenticate('scimd_static'), scim(401, 'the access token is not a JWT'));
    await assert.rejects(
      oauth.authenticate(await idp.sign('u', { claims: { iss: undefined } })),
      scim(401, 'the access token has no "iss" claim'),
    );
    await assert.rejects(
      oauth.authenticate(await idp.sign('u', { claims: { iss: 123 } })),
      scim(401, 'the access token has no "iss" claim'),
    );
    await assert.rejects(
      oauth.authenticate(await idp.sign('u', { claims: { iss: 'https://elsewhere.example.com' } })),
      scim(401, NO_TRUST),
    );
    await assert.rejects(oauth.authenticate(await idp.sign('u', { claims: { tenant: 'initech' } })), scim(401, NO_TRUST));
    await assert.rejects(oauth.authenticate(await idp.sign('u', { claims: { tenant: undefined } })), scim(401, NO_TRUST));
    await assert.rejects(oauth.authenticate(await idp.sign('')), scim(401, 'the access token has no "sub" claim'));
    await assert.rejects(oauth.authenticate(await idp.sign('u', { claims: { aud: 'other' } })), (error: unknown) => {
      assert.ok(error instanceof ScimError && error.status === 401, String(error));
      return true;
    });
  });

  it("a disabled tenant's token is refused 403, the refusal naming the tenant it belongs to (for its request log)", async () => {
    await store.setTenantDisabled('t-2', '2026-03-01T10:00:00.000Z');
    now += 1000;
    await assert.rejects(oauth.authenticate(await idp.sign('u', { claims: { tenant: 'globex-id' } })), (error: unknown) => {
      assert.ok(error instanceof CredentialRefused, String(error));
      assert.deepEqual(
        [error.status, error.detail, error.holder.tenantName, error.holder.tokenId],
        [403, 'tenant "globex" is disabled', 'globex', 'jwt:u'],
      );
      return true;
    });
    await store.setTenantDisabled('t-2', null);
  });

  it('issuers are remembered a second: a change made here applies at once, one made elsewhere within the second', async () => {
    const elsewhere = createOAuthService({ store, verifier: createJwtVerifier({ refreshCooldownMs: 30_000 }), clock });
    now += 1000;
    const token = await idp.sign('u', { claims: { tenant: 'initech' } });
    await assert.rejects(oauth.authenticate(token), scim(401, NO_TRUST));
    await elsewhere.set('initech', { ...settings(), tenantValue: 'initech' });
    await assert.rejects(oauth.authenticate(token), scim(401, NO_TRUST), 'remembered');
    now += 999;
    await assert.rejects(oauth.authenticate(token), scim(401, NO_TRUST), 'remembered for a second');
    now += 1;
    assert.equal((await oauth.authenticate(token)).tenantName, 'initech', 'read again after a second');
    await oauth.remove('initech');
    await assert.rejects(oauth.authenticate(token), scim(401, NO_TRUST), 'removed here: at once');
    await oauth.set('initech', { ...settings(), tenantValue: 'initech' });
    assert.equal((await oauth.authenticate(token)).tenantName, 'initech', 'set here: at once');
  });
});
