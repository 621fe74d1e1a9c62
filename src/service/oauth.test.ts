import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { parseOAuthSettings } from './oauth.ts';

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

  it('allows http JWKS on loopback (local setups and tests)', () => {
    assert.equal(
      parseOAuthSettings({ ...base, jwksUrl: 'http://127.0.0.1:8081/jwks.json' }, 'acme').jwksUrl,
      'http://127.0.0.1:8081/jwks.json',
    );
  });
});
