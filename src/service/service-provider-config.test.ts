import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OAuthIssuerRecord } from '../store/ports/oauth-issuers.ts';
import { authenticationSchemes, serviceProviderConfig } from './service-provider-config.ts';

const LIMITS = { maxResults: 200, defaultPageSize: 50, cursorTimeoutSeconds: 600 };
const BULK = { maxOperations: 1000, maxPayloadSize: 1_048_576 };
const LOCATION = 'https://scim.example.com/scim/v2/ServiceProviderConfig';
const ALL = { patch: true, bulk: true, securityEvents: true, deltaQuery: true };
const NONE = { patch: false, bulk: false, securityEvents: false, deltaQuery: false };

/** RFC 7643 §5: the bearer scheme every tenant has. */
const STATIC_TOKEN = {
  type: 'oauthbearertoken',
  name: 'OAuth Bearer Token',
  description: 'Authentication with a bearer token issued by the scimd administrator (RFC 6750)',
  specUri: 'https://www.rfc-editor.org/info/rfc6750',
  primary: true,
};

const ISSUER: OAuthIssuerRecord = {
  tenantId: 't-1',
  tenantName: 'acme',
  issuer: 'https://login.example.com/',
  jwksUrl: 'https://login.example.com/jwks',
  audience: 'scim',
  tenantClaim: 'tid',
  tenantValue: 'acme',
  tenantProfile: { name: 'lenient', overrides: {} },
  algorithms: ['RS256', 'ES256'],
  clockSkewSeconds: 60,
  subjectAttribute: 'userName',
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
};

describe('RFC 7643 §5 ServiceProviderConfig: what the server says it supports', () => {
  it('everything on: patch, bulk with its limits, filter, sort, etag, changePassword, RFC 9865 pagination, RFC 9967 securityEvents, delta query', () => {
    assert.deepEqual(serviceProviderConfig(ALL, LIMITS, BULK, LOCATION, undefined, 86_400), {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      // draft-zollner-scim-interop-profile-02: said by every tenant, true only under strict (docs/profiles.md).
      interopProfileConformant: false,
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: true },
      sort: { supported: true },
      etag: { supported: true },
      pagination: {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: 50,
        maxPageSize: 200,
        cursorTimeout: 600,
      },
      securityEvents: {
        asyncRequest: 'none',
        eventUris: [
          'urn:ietf:params:scim:event:prov:create:full',
          'urn:ietf:params:scim:event:prov:patch:full',
          'urn:ietf:params:scim:event:prov:patch:notice',
          'urn:ietf:params:scim:event:prov:put:full',
          'urn:ietf:params:scim:event:prov:put:notice',
          'urn:ietf:params:scim:event:prov:delete',
          'urn:ietf:params:scim:event:prov:activate',
          'urn:ietf:params:scim:event:prov:deactivate',
        ],
      },
      deltaQuery: { supported: true, deltaTokenExpiry: 86_400, supportedResources: ['ServerRoot', 'User', 'Group'] },
      authenticationSchemes: [STATIC_TOKEN],
      meta: { resourceType: 'ServiceProviderConfig', location: LOCATION },
    });
  });

  it('a feature switched off says so: bulk with zero limits, no securityEvents member, deltaQuery unsupported', () => {
    const spc = serviceProviderConfig(NONE, LIMITS, BULK, LOCATION);
    assert.deepEqual(spc.patch, { supported: false });
    assert.deepEqual(spc.bulk, { supported: false, maxOperations: 0, maxPayloadSize: 0 });
    assert.equal('securityEvents' in spc, false);
    assert.deepEqual(spc.deltaQuery, { supported: false });
    assert.deepEqual(spc.authenticationSchemes, [STATIC_TOKEN]);
  });

  it('a delta token expiry defaults to 0 when none is given', () => {
    assert.deepEqual(serviceProviderConfig(ALL, LIMITS, BULK, LOCATION).deltaQuery, {
      supported: true,
      deltaTokenExpiry: 0,
      supportedResources: ['ServerRoot', 'User', 'Group'],
    });
  });
});

describe('RFC 7643 §5 authenticationSchemes of a tenant', () => {
  it('static tokens only, without an issuer or OAuth clients', () => {
    assert.deepEqual(authenticationSchemes(undefined), [STATIC_TOKEN]);
    assert.deepEqual(authenticationSchemes(undefined, false), [STATIC_TOKEN]);
  });

  it('RFC 9068 JWTs of its issuer, described with the issuer, audience, algorithms, claim and subject attribute', () => {
    assert.deepEqual(authenticationSchemes(ISSUER), [
      STATIC_TOKEN,
      {
        type: 'oauthbearertoken',
        name: 'OAuth 2.0 JWT access token',
        description:
          'A JWT access token (RFC 6750 bearer, RFC 9068 profile) issued by https://login.example.com/ for audience scim, ' +
          'signed with RS256 or ES256; its "tid" claim names this tenant and its "sub" is the userName of the user /Me acts on',
        specUri: 'https://www.rfc-editor.org/info/rfc9068',
        primary: false,
      },
    ]);
  });

  it('RFC 6749 §4.4 client credentials when the tenant has OAuth clients, after the issuer', () => {
    const schemes = authenticationSchemes(ISSUER, true);
    assert.deepEqual(
      schemes.map((s) => [s.name, s.specUri, s.primary]),
      [
        ['OAuth Bearer Token', 'https://www.rfc-editor.org/info/rfc6750', true],
        ['OAuth 2.0 JWT access token', 'https://www.rfc-editor.org/info/rfc9068', false],
        ['OAuth 2.0 client credentials', 'https://www.rfc-editor.org/info/rfc6749', false],
      ],
    );
    assert.deepEqual(authenticationSchemes(undefined, true)[1], {
      type: 'oauthbearertoken',
      name: 'OAuth 2.0 client credentials',
      description:
        "An access token from scimd's token endpoint, POST /oauth/token on this service's origin (RFC 6749 §4.4 client credentials " +
        'grant; client_secret_basic, client_secret_post or an RFC 7523 JWT assertion), sent as a bearer token',
      specUri: 'https://www.rfc-editor.org/info/rfc6749',
      primary: false,
    });
  });
});
