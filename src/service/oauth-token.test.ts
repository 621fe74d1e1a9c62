import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import { startIssuer, type TestIssuer } from '../../test/helpers/issuer.ts';
import { basic } from '../../test/helpers/oauth-client.ts';
import { createJwtVerifier } from '../auth/jwt.ts';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createOAuthClientService, type OAuthClientService } from './oauth-clients.ts';
import { createSigningKeys } from './oauth-signing-keys.ts';
import { createTokenService, OAuthError, type TokenRequest, type TokenService } from './oauth-token.ts';
import { CredentialRefused } from './tenants.ts';

/** docs/oauth.md: the issuer is SCIMD_PUBLIC_URL, the audience that plus the SCIM base path. */
const ISSUER = 'https://scim.example.com';
const AUDIENCE = 'https://scim.example.com/scim/v2';
const ENDPOINT = 'https://scim.example.com/oauth/token';
/** RFC 7523 §2.2. */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** RFC 6749 §5.2: invalid_client is 401 with a challenge for HTTP Basic. */
const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="scimd"' };
const GRANT = { grant_type: 'client_credentials' };
const OFF = { perSecond: 0, burst: 0 };

/** An RFC 6749 §5.2 error with exactly this code, description, status and headers. */
function oauthError(error: string, description: string, status: number, headers: Record<string, string> = {}) {
  return (thrown: unknown) => {
    assert.ok(thrown instanceof OAuthError, String(thrown));
    assert.equal(thrown.name, 'OAuthError');
    assert.deepEqual(
      { error: thrown.error, description: thrown.message, status: thrown.status, headers: thrown.headers },
      { error, description, status, headers },
    );
    return true;
  };
}

const invalidClient = (description: string) => oauthError('invalid_client', description, 401, BASIC_CHALLENGE);
const invalidRequest = (description: string) => oauthError('invalid_request', description, 400);

/** RFC 6750 §3.1 invalid_token: 401 naming the reason, in the body and in WWW-Authenticate. */
function invalidToken(detail: string) {
  return (thrown: unknown) => {
    assert.ok(thrown instanceof ScimError, String(thrown));
    const description = detail.replaceAll('"', "'");
    assert.deepEqual(
      { status: thrown.status, detail: thrown.detail, headers: thrown.headers },
      {
        status: 401,
        detail,
        headers: { 'www-authenticate': `Bearer realm="scimd", error="invalid_token", error_description="${description}"` },
      },
    );
    return true;
  };
}

/** The header and claims of a compact JWS, decoded here (RFC 7515 §7.1), not by the code under test. */
function decode(jwt: string): [Record<string, unknown>, Record<string, unknown>] {
  const [header, payload] = jwt.split('.') as [string, string];
  return [JSON.parse(Buffer.from(header, 'base64url').toString()), JSON.parse(Buffer.from(payload, 'base64url').toString())];
}

function request(params: Record<string, string>, authorization?: string, address = '192.0.2.1'): TokenRequest {
  return { params: new Map(Object.entries(params)), authorization, address, endpoint: ENDPOINT };
}

/** A JWT signed here with jose: a client assertion, or a token that claims to be ours. */
async function sign(key: CryptoKey, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'ES256' }): Promise<string> {
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

describe("scimd's token endpoint (RFC 6749 §4.4 client credentials, docs/oauth.md) and its access tokens", () => {
  let store: Store;
  let clients: OAuthClientService;
  let service: TokenService;
  let limited: TokenService;
  let trusted: TestIssuer;
  let unreachable: TestIssuer;
  /** The clock of the service: real time at first (the test issuer signs with real time), moved by the tests. */
  let now = Math.floor(Date.now() / 1000) * 1000;
  const clock = () => new Date(now);
  const seconds = () => Math.floor(now / 1000);
  let secretClient: { id: string; secret: string; hint: string };
  let keyClient: string;
  let clientKey: CryptoKey;
  let federated: string;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    const at = clock().toISOString();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: at });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: at });
    await store.createTenant({ id: 't-3', name: 'bare', createdAt: at });
    trusted = await startIssuer();
    unreachable = await startIssuer();
    const issuerSettings = (issuer: TestIssuer, tenantValue: string) => ({
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
      audience: 'scimd',
      tenantClaim: 'tenant',
      tenantValue,
      algorithms: ['RS256'],
      clockSkewSeconds: 60,
      subjectAttribute: 'userName' as const,
    });
    await store.putOAuthIssuer('t-1', issuerSettings(trusted, 'acme'), at);
    await store.putOAuthIssuer('t-2', issuerSettings(unreachable, 'other'), at);
    clients = createOAuthClientService({ store, clock });
    const keys = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const deps = {
      store,
      keys,
      verifier: createJwtVerifier({ refreshCooldownMs: 0 }, clock),
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
    };
    service = createTokenService({ ...deps, rateLimit: OFF });
    limited = createTokenService({ ...deps, rateLimit: { perSecond: 0.5, burst: 2 } });

    const created = await clients.create('acme', { name: 'Entra ID' });
    secretClient = { ...created.issued!, id: created.client.id };
    const pair = await generateKeyPair('ES256');
    clientKey = pair.privateKey;
    keyClient = (await clients.create('acme', { jwks: { keys: [await exportJWK(pair.publicKey)] }, secret: false })).client.id;
    federated = (await clients.create('acme', { federatedSubject: 'system:serviceaccount:ci:deployer', secret: false })).client.id;
  });
  after(async () => {
    await trusted.close();
    await unreachable.close();
    store.close();
  });

  /** A signing key of ours, read from the store: to forge tokens that claim to be ours. */
  async function ourKey(): Promise<{ kid: string; key: CryptoKey; publicKey: ReturnType<typeof createPublicKey> }> {
    const records = await store.listOAuthSigningKeys();
    const record = records[records.length - 1]!;
    const jwk = JSON.parse(record.privateJwk) as Record<string, unknown>;
    const { d: _d, ...publicJwk } = jwk;
    return {
      kid: record.kid,
      key: (await importJWK(jwk, 'ES256')) as CryptoKey,
      publicKey: createPublicKey({ key: publicJwk as never, format: 'jwk' }),
    };
  }

  /** Claims as scimd's tokens carry them, for the secret client of acme, valid 5 minutes. */
  const ourClaims = (extra: Record<string, unknown> = {}) => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: secretClient.id,
    client_id: secretClient.id,
    tenant: 't-1',
    scope: 'scim',
    iat: seconds(),
    exp: seconds() + 300,
    ...extra,
  });

  async function tokenFor(params: Record<string, string>, authorization?: string): Promise<string> {
    return (await service.token(request({ ...GRANT, ...params }, authorization))).access_token;
  }

  describe('§4.4.2 the request and §5.1 the answer', () => {
    it('client_secret_basic: a Bearer token of the client lifetime (3600 s) with the one scope "scim"', async () => {
      const answer = await service.token(request(GRANT, basic(secretClient.id, secretClient.secret).authorization));
      assert.deepEqual(
        { token_type: answer.token_type, expires_in: answer.expires_in, scope: answer.scope },
        { token_type: 'Bearer', expires_in: 3600, scope: 'scim' },
      );
      const [header, claims] = decode(answer.access_token);
      const { kid, publicKey } = await ourKey();
      assert.deepEqual(header, { alg: 'ES256', kid, typ: 'at+jwt' });
      assert.match(kid, /^scimd-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
      assert.match(String(claims['jti']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(claims, {
        client_id: secretClient.id,
        tenant: 't-1',
        scope: 'scim',
        iss: ISSUER,
        sub: secretClient.id,
        aud: AUDIENCE,
        iat: seconds(),
        exp: seconds() + 3600,
        jti: claims['jti'],
      });
      // RFC 7518 §3.4: ES256 is the raw r||s of ECDSA P-256 over SHA-256 of "header.payload".
      const [h, p, s] = answer.access_token.split('.') as [string, string, string];
      assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')));
      assert.notEqual(decode(await tokenFor({}, basic(secretClient.id, secretClient.secret).authorization))[1]['jti'], claims['jti']);
    });

    it('the secret used records when it last got a token (docs/oauth.md: to see an unused one)', async () => {
      now += 5000;
      await service.token(request({ ...GRANT, client_id: secretClient.id, client_secret: secretClient.secret }));
      const [secret] = await store.listOAuthClientSecrets(secretClient.id);
      assert.equal(secret!.lastUsedAt, clock().toISOString());
    });

    it('client_secret_post; client_id beside HTTP Basic must name the same client', async () => {
      const post = await service.token(request({ ...GRANT, client_id: secretClient.id, client_secret: secretClient.secret }));
      assert.equal(decode(post.access_token)[1]['sub'], secretClient.id);
      const auth = basic(secretClient.id, secretClient.secret).authorization;
      assert.equal(decode(await tokenFor({ client_id: secretClient.id }, auth))[1]['sub'], secretClient.id);
      await assert.rejects(
        service.token(request({ ...GRANT, client_id: keyClient }, auth)),
        invalidRequest('client_id differs from the client of the Authorization header'),
      );
    });

    it("the client's own token lifetime", async () => {
      const created = await clients.create('acme', { tokenLifetimeSeconds: 7200 });
      const answer = await service.token(request(GRANT, basic(created.client.id, created.issued!.secret).authorization));
      assert.equal(answer.expires_in, 7200);
      const claims = decode(answer.access_token)[1];
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 7200);
    });

    it('grant_type is required, and only client_credentials is supported', async () => {
      const auth = basic(secretClient.id, secretClient.secret).authorization;
      await assert.rejects(service.token(request({}, auth)), invalidRequest('grant_type is required'));
      await assert.rejects(
        service.token(request({ grant_type: 'password' }, auth)),
        oauthError('unsupported_grant_type', 'grant_type "password" is not supported; use client_credentials', 400),
      );
    });
  });

  describe('§2.3.1 HTTP Basic: client_id and client_secret form-encoded, then Base64', () => {
    it('"+" is a space and %XX an octet in both; the scheme in any case, blanks around', async () => {
      await store.createOAuthClient(
        {
          id: 'a b+c',
          tenantId: 't-1',
          name: 'x',
          tokenLifetimeSeconds: 3600,
          jwks: undefined,
          federatedSubject: undefined,
          federatedAudience: undefined,
        },
        clock().toISOString(),
      );
      await store.addOAuthClientSecret({
        id: 'sec_1',
        clientId: 'a b+c',
        hint: 'my sec',
        hash: createHash('sha256').update('my secret+1').digest('hex'),
        createdAt: clock().toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
      });
      const encoded = Buffer.from('a+b%2Bc:my+secret%2B1').toString('base64');
      assert.equal(decode(await tokenFor({}, `Basic ${encoded}`))[1]['sub'], 'a b+c');
      assert.equal(decode(await tokenFor({}, `bASIC  ${encoded}  `))[1]['sub'], 'a b+c');
      // The secret itself may hold ":": only the first one separates.
      const withColon = Buffer.from(`${encodeURIComponent(secretClient.id)}:${secretClient.secret}:x`).toString('base64');
      await assert.rejects(
        service.token(request(GRANT, `Basic ${withColon}`)),
        invalidClient('client authentication failed: unknown client_id or wrong client_secret'),
      );
    });

    it('a client_id of one character is one', async () => {
      await store.createOAuthClient(
        {
          id: 'x',
          tenantId: 't-1',
          name: 'x',
          tokenLifetimeSeconds: 3600,
          jwks: undefined,
          federatedSubject: undefined,
          federatedAudience: undefined,
        },
        clock().toISOString(),
      );
      await store.addOAuthClientSecret({
        id: 'sec_x',
        clientId: 'x',
        hint: 'short',
        hash: createHash('sha256').update('short-secret').digest('hex'),
        createdAt: clock().toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
      });
      assert.equal(decode(await tokenFor({}, basic('x', 'short-secret').authorization))[1]['sub'], 'x');
    });

    it('anything but Base64 of "id:secret" with a non-empty id is invalid_client', async () => {
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      for (const header of ['Basic !!!', `Basic ${b64('no colon')}`, `Basic ${b64(':secret')}`, `Basic ${b64('id:x')}.`]) {
        await assert.rejects(
          service.token(request(GRANT, header)),
          invalidClient('the Authorization header is not HTTP Basic client_id:client_secret'),
          header,
        );
      }
      for (const text of ['%E0%A4%A:secret', 'id:100%']) {
        await assert.rejects(
          service.token(request(GRANT, `Basic ${b64(text)}`)),
          invalidClient('the Basic credentials are not form-encoded correctly'),
          text,
        );
      }
    });
  });

  describe('§2.3 client authentication: exactly one method', () => {
    it('none, or a Bearer header, is invalid_client', async () => {
      const description = 'client authentication is required (HTTP Basic, client_secret or client_assertion)';
      await assert.rejects(service.token(request(GRANT)), invalidClient(description));
      await assert.rejects(service.token(request({ ...GRANT, client_id: secretClient.id })), invalidClient(description));
      await assert.rejects(service.token(request(GRANT, 'Bearer abc')), invalidClient(description));
      await assert.rejects(service.token(request(GRANT, 'Bearer Basic abc')), invalidClient(description));
    });

    it('two at once is invalid_request', async () => {
      const auth = basic(secretClient.id, secretClient.secret).authorization;
      const twice = invalidRequest('use exactly one client authentication method per request');
      await assert.rejects(service.token(request({ ...GRANT, client_secret: 'x' }, auth)), twice);
      await assert.rejects(service.token(request({ ...GRANT, client_assertion: 'x' }, auth)), twice);
      await assert.rejects(service.token(request({ ...GRANT, client_assertion_type: JWT_BEARER }, auth)), twice);
      await assert.rejects(
        service.token(request({ ...GRANT, client_secret: 'x', client_assertion: 'y', client_assertion_type: JWT_BEARER })),
        twice,
      );
    });

    it('an unknown client, a wrong secret, another client of the secret: one refusal', async () => {
      const failed = invalidClient('client authentication failed: unknown client_id or wrong client_secret');
      await assert.rejects(service.token(request(GRANT, basic('client_nope', secretClient.secret).authorization)), failed);
      await assert.rejects(service.token(request(GRANT, basic(secretClient.id, `${secretClient.secret}x`).authorization)), failed);
      await assert.rejects(service.token(request(GRANT, basic(keyClient, secretClient.secret).authorization)), failed);
      await assert.rejects(service.token(request({ ...GRANT, client_secret: secretClient.secret })), failed);
    });

    it('a secret is refused from its expiry on, naming its hint and expiry', async () => {
      const created = await clients.create('acme', { secretExpiresInDays: 1 });
      const { secret, hint, expiresAt } = created.issued!;
      const auth = basic(created.client.id, secret).authorization;
      const start = now;
      now = Date.parse(expiresAt) - 1;
      await tokenFor({}, auth);
      now = Date.parse(expiresAt);
      await assert.rejects(
        service.token(request(GRANT, auth)),
        invalidClient(`client authentication failed: the client secret ${hint}… expired at ${expiresAt}`),
      );
      now = start;
    });

    it("a disabled tenant's client gets no token: unauthorized_client", async () => {
      await store.setTenantDisabled('t-1', clock().toISOString());
      try {
        await assert.rejects(
          service.token(request(GRANT, basic(secretClient.id, secretClient.secret).authorization)),
          oauthError('unauthorized_client', 'tenant "acme" is disabled', 400),
        );
      } finally {
        await store.setTenantDisabled('t-1', null);
      }
    });
  });

  describe('RFC 7523 §2.2 private_key_jwt: an assertion signed with the key registered for the client', () => {
    const assertion = (claims: Record<string, unknown>) =>
      sign(clientKey, { iss: keyClient, sub: keyClient, aud: ENDPOINT, exp: seconds() + 60, ...claims });
    const form = (jwt: string, extra: Record<string, string> = {}) => ({
      ...GRANT,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
      ...extra,
    });

    it('§3: iss = sub = the client, aud the token endpoint or the issuer; client_id optional', async () => {
      for (const aud of [ENDPOINT, ISSUER, [AUDIENCE, ISSUER]]) {
        const answer = await service.token(request(form(await assertion({ aud }))));
        assert.equal(decode(answer.access_token)[1]['sub'], keyClient, String(aud));
      }
      assert.equal(decode(await tokenFor(form(await assertion({}), { client_id: keyClient })))[1]['sub'], keyClient);
    });

    it('§3 item 7: a wrong key, audience, subject, an expired assertion, no exp, an HMAC signature: invalid_client', async () => {
      const other = (await generateKeyPair('ES256')).privateKey;
      const cases: Array<[Promise<string>, string]> = [
        [sign(other, { iss: keyClient, sub: keyClient, aud: ENDPOINT, exp: seconds() + 60 }), "the assertion's signature is not valid"],
        [assertion({ aud: AUDIENCE }), `the assertion's "aud" claim is not what this tenant's issuer configuration requires`],
        [assertion({ sub: 'someone' }), `the assertion's "sub" claim is not what this tenant's issuer configuration requires`],
        [assertion({ exp: undefined }), 'the assertion has no "exp" claim'],
        [
          sign(
            new TextEncoder().encode('x'.repeat(32)) as never,
            { iss: keyClient, sub: keyClient, aud: ENDPOINT, exp: seconds() + 60 },
            { alg: 'HS256' },
          ),
          "the assertion's signature algorithm is not allowed for this tenant",
        ],
      ];
      for (const [jwt, reason] of cases) {
        await assert.rejects(
          service.token(request(form(await jwt, { client_id: keyClient }))),
          invalidClient(`the client assertion is not valid: ${reason}`),
        );
      }
    });

    it('60 s of clock skew on exp, counted on the service clock', async () => {
      const jwt = await assertion({ exp: seconds() + 30 });
      const start = now;
      now += 89_000;
      await service.token(request(form(jwt)));
      now += 1000;
      await assert.rejects(
        service.token(request(form(jwt))),
        invalidClient('the client assertion is not valid: the assertion has expired'),
      );
      now = start;
    });

    it('no registered key, an unknown client, no JWT, no client named: invalid_client', async () => {
      const signedAs = (id: string) => sign(clientKey, { iss: id, sub: id, aud: ENDPOINT, exp: seconds() + 60 });
      await assert.rejects(
        service.token(request(form(await signedAs(secretClient.id)))),
        invalidClient(`client "${secretClient.id}" has no registered key to verify its client assertion with`),
      );
      await assert.rejects(
        service.token(request(form(await signedAs('client_nope')))),
        invalidClient('client authentication failed: unknown client_id'),
      );
      await assert.rejects(service.token(request(form('not-a-jwt'))), invalidClient('the client assertion is not a JWT'));
      const nobody = invalidClient('the client assertion names no client (no client_id, no sub)');
      await assert.rejects(service.token(request(form(await assertion({ sub: undefined })))), nobody);
      await assert.rejects(service.token(request(form(await assertion({ sub: '' })))), nobody);
      await assert.rejects(service.token(request(form(await assertion({ sub: 7 })))), nobody);
    });

    it('RFC 7521 §4.2: the assertion type is the JWT bearer one, and goes with an assertion', async () => {
      await assert.rejects(
        service.token(
          request({ ...form(await assertion({})), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' }),
        ),
        invalidClient(`client_assertion_type must be ${JWT_BEARER}`),
      );
      const together = invalidRequest('client_assertion and client_assertion_type go together');
      await assert.rejects(service.token(request({ ...GRANT, client_assertion: await assertion({}) })), together);
      await assert.rejects(service.token(request({ ...GRANT, client_assertion_type: JWT_BEARER })), together);
    });

    it('a stored key set that is not JSON is a fault of the server, not a refused client', async () => {
      await store.createOAuthClient(
        {
          id: 'broken',
          tenantId: 't-1',
          name: 'x',
          tokenLifetimeSeconds: 3600,
          jwks: '{',
          federatedSubject: undefined,
          federatedAudience: undefined,
        },
        clock().toISOString(),
      );
      const jwt = await sign(clientKey, { iss: 'broken', sub: 'broken', aud: ENDPOINT, exp: seconds() + 60 });
      await assert.rejects(service.token(request(form(jwt))), SyntaxError);
    });
  });

  describe("workload identity federation: an assertion of the tenant's trusted issuer for the client's federated subject", () => {
    const SUBJECT = 'system:serviceaccount:ci:deployer';
    const form = (jwt: string, clientId = federated) => ({
      ...GRANT,
      client_assertion_type: JWT_BEARER,
      client_assertion: jwt,
      client_id: clientId,
    });

    it('gets a token of the client, for its tenant', async () => {
      now = Math.floor(Date.now() / 1000) * 1000;
      const claims = decode(await tokenFor(form(await trusted.sign(SUBJECT))))[1];
      assert.deepEqual([claims['sub'], claims['tenant']], [federated, 't-1']);
    });

    it('another subject, tenant claim, audience, or an expired assertion: invalid_client', async () => {
      await assert.rejects(
        service.token(request(form(await trusted.sign('someone')))),
        invalidClient(`the client assertion's subject is not the federated subject of client "${federated}"`),
      );
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT, { claims: { tenant: 'other' } })))),
        invalidClient(`the client assertion's "tenant" claim is not "acme"`),
      );
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT, { claims: { aud: 'api://AzureADTokenExchange' } })))),
        invalidClient(
          `the client assertion is not valid: the assertion's "aud" claim is not what this tenant's issuer configuration requires`,
        ),
      );
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT, { expiresIn: -120 })))),
        invalidClient('the client assertion is not valid: the assertion has expired'),
      );
    });

    it("the client's federated audience replaces the issuer's", async () => {
      const id = (
        await clients.create('acme', { federatedSubject: SUBJECT, federatedAudience: 'api://AzureADTokenExchange', secret: false })
      ).client.id;
      const jwt = await trusted.sign(SUBJECT, { claims: { aud: 'api://AzureADTokenExchange' } });
      assert.equal(decode(await tokenFor(form(jwt, id)))[1]['sub'], id);
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT), id))),
        invalidClient(
          `the client assertion is not valid: the assertion's "aud" claim is not what this tenant's issuer configuration requires`,
        ),
      );
    });

    it('a client without a federated subject, a tenant without that issuer: invalid_client', async () => {
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT), keyClient))),
        invalidClient(`client "${keyClient}" accepts no assertion of another issuer (no federated subject)`),
      );
      const bare = (await clients.create('bare', { federatedSubject: SUBJECT, secret: false })).client.id;
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT), bare))),
        invalidClient(`the client assertion's issuer is not the trusted issuer of tenant "bare"`),
      );
      const otherIssuer = (await clients.create('other', { federatedSubject: SUBJECT, secret: false })).client.id;
      await assert.rejects(
        service.token(request(form(await trusted.sign(SUBJECT, { claims: { tenant: 'other' } }), otherIssuer))),
        invalidClient(`the client assertion's issuer is not the trusted issuer of tenant "other"`),
      );
    });

    it("the trusted issuer's keys out of reach: 503 temporarily_unavailable with Retry-After, which identity providers retry", async () => {
      const id = (await clients.create('other', { federatedSubject: SUBJECT, secret: false })).client.id;
      const jwt = await unreachable.sign(SUBJECT, { claims: { tenant: 'other' } });
      await unreachable.close();
      await assert.rejects(
        service.token(request(form(jwt, id))),
        oauthError('temporarily_unavailable', "the token issuer's keys (JWKS) cannot be fetched now; retry later", 503, {
          'retry-after': '5',
        }),
      );
    });
  });

  describe('rate limit per client address and per client_id (SCIMD_RATE_LIMIT_OAUTH_TOKEN)', () => {
    const refused = (scope: string) =>
      oauthError('temporarily_unavailable', `too many requests: the limit is 0.5 requests/s per ${scope}; retry later`, 429, {
        'retry-after': '2',
      });

    it('an address beyond its burst waits, whatever it asks; it may ask again once the bucket refilled', async () => {
      const ask = () => limited.token(request({}, undefined, '198.51.100.7'));
      await assert.rejects(ask(), invalidRequest('grant_type is required'));
      await assert.rejects(ask(), invalidRequest('grant_type is required'));
      await assert.rejects(ask(), refused('client address'));
      await assert.rejects(limited.token(request({}, undefined, '198.51.100.8')), invalidRequest('grant_type is required'));
      now += 2000;
      await assert.rejects(ask(), invalidRequest('grant_type is required'));
    });

    it('a client_id beyond its burst waits, from any address, authenticated or not', async () => {
      const auth = basic('client_busy', 'wrong').authorization;
      const ask = (address: string) => limited.token(request(GRANT, auth, address));
      const failed = invalidClient('client authentication failed: unknown client_id or wrong client_secret');
      await assert.rejects(ask('203.0.113.1'), failed);
      await assert.rejects(ask('203.0.113.2'), failed);
      await assert.rejects(ask('203.0.113.3'), refused('client_id'));
      const post = (address: string) =>
        limited.token(request({ ...GRANT, client_id: 'client_posted', client_secret: 'x' }, undefined, address));
      // Each client_id has a bucket of its own.
      await assert.rejects(post('203.0.113.4'), failed);
      await assert.rejects(post('203.0.113.5'), failed);
      await assert.rejects(post('203.0.113.6'), refused('client_id'));
    });

    it('an assertion counts for the client it names', async () => {
      const jwt = await sign(clientKey, { iss: 'client_asserted', sub: 'client_asserted', aud: ENDPOINT, exp: seconds() + 60 });
      const ask = (address: string) =>
        limited.token(request({ ...GRANT, client_assertion_type: JWT_BEARER, client_assertion: jwt }, undefined, address));
      const unknown = invalidClient('client authentication failed: unknown client_id');
      await assert.rejects(ask('203.0.113.11'), unknown);
      await assert.rejects(ask('203.0.113.12'), unknown);
      await assert.rejects(ask('203.0.113.13'), refused('client_id'));
      const another = await sign(clientKey, { iss: 'client_other', sub: 'client_other', aud: ENDPOINT, exp: seconds() + 60 });
      await assert.rejects(
        limited.token(request({ ...GRANT, client_assertion_type: JWT_BEARER, client_assertion: another }, undefined, '203.0.113.14')),
        unknown,
        'another client has a bucket of its own',
      );
    });
  });

  describe('RFC 9068 access tokens at the SCIM API: authenticate', () => {
    it("a token of ours names the client's tenant, its token id and the tenant's profile", async () => {
      await store.setTenantProfile('t-1', { name: 'strict', overrides: {} });
      now += 2000;
      const token = await tokenFor({}, basic(secretClient.id, secretClient.secret).authorization);
      const principal = await service.authenticate(token);
      assert.deepEqual(
        { tenantId: principal.tenantId, tenantName: principal.tenantName, tokenId: principal.tokenId },
        { tenantId: 't-1', tenantName: 'acme', tokenId: `oauth:${secretClient.id}` },
      );
      assert.equal(principal.profile.requirePatchPath, true, 'the strict profile');
      await store.setTenantProfile('t-1', { name: 'lenient', overrides: {} });
    });

    it('valid until exp, with 60 s of skew', async () => {
      const token = await tokenFor({}, basic(secretClient.id, secretClient.secret).authorization);
      const start = now;
      now += 3659_000;
      await service.authenticate(token);
      now += 1000;
      await assert.rejects(service.authenticate(token), invalidToken('the access token has expired'));
      now = start;
    });

    it('a token that is not ours in every respect is refused, saying why', async () => {
      const { kid, key } = await ourKey();
      const header = { alg: 'ES256', kid, typ: 'at+jwt' };
      const es384 = (await generateKeyPair('ES384')).privateKey;
      const cases: Array<[Promise<string> | string, string]> = [
        [sign(key, ourClaims(), { alg: 'ES256', typ: 'at+jwt' }), 'the access token names no signing key (kid)'],
        [sign(key, ourClaims(), { ...header, kid: 7 }), 'the access token names no signing key (kid)'],
        [
          sign(key, ourClaims(), { ...header, kid: 'scimd-1999-01-01-00000000' }),
          'the access token was signed with a key scimd does not have (expired or unknown)',
        ],
        [sign((await generateKeyPair('ES256')).privateKey, ourClaims(), header), "the access token's signature is not valid"],
        [sign(es384, ourClaims(), { ...header, alg: 'ES384' }), "the access token's signature algorithm is not allowed for this tenant"],
        [sign(key, ourClaims(), { ...header, typ: 'JWT' }), `the access token's "typ" claim is not what scimd requires`],
        [sign(key, ourClaims({ iss: 'urn:scimd' }), header), `the access token's "iss" claim is not what scimd requires`],
        [sign(key, ourClaims({ aud: ENDPOINT }), header), `the access token's "aud" claim is not what scimd requires`],
        [sign(key, ourClaims({ exp: undefined }), header), 'the access token has no "exp" claim'],
        [sign(key, ourClaims({ sub: undefined }), header), 'the access token has no "sub" claim'],
        [sign(key, ourClaims({ tenant: undefined }), header), 'the access token has no "tenant" claim'],
        [sign(key, ourClaims({ tenant: 't-2' }), header), 'the OAuth client of this access token no longer exists'],
        [sign(key, ourClaims({ sub: 'client_nope' }), header), 'the OAuth client of this access token no longer exists'],
      ];
      for (const [token, detail] of cases) await assert.rejects(service.authenticate(await token), invalidToken(detail), detail);
      assert.equal((await service.authenticate(await sign(key, ourClaims(), header))).tenantId, 't-1', 'the same claims, all ours');
    });

    it('a deleted client: refused within a second, at once after forget()', async () => {
      const created = await clients.create('acme', {});
      const token = await tokenFor({}, basic(created.client.id, created.issued!.secret).authorization);
      await service.authenticate(token);
      await store.deleteOAuthClient(created.client.id);
      now += 999;
      await service.authenticate(token);
      now += 1;
      await assert.rejects(service.authenticate(token), invalidToken('the OAuth client of this access token no longer exists'));

      const again = await clients.create('acme', {});
      const other = await tokenFor({}, basic(again.client.id, again.issued!.secret).authorization);
      await service.authenticate(other);
      await store.deleteOAuthClient(again.client.id);
      assert.equal(service.forget(again.client.id), true);
      await assert.rejects(service.authenticate(other), invalidToken('the OAuth client of this access token no longer exists'));
    });

    it("a disabled tenant's tokens are 403, naming the principal", async () => {
      const token = await tokenFor({}, basic(secretClient.id, secretClient.secret).authorization);
      await store.setTenantDisabled('t-1', clock().toISOString());
      service.forget(secretClient.id);
      try {
        await assert.rejects(service.authenticate(token), (thrown: unknown) => {
          assert.ok(thrown instanceof CredentialRefused, String(thrown));
          assert.deepEqual([thrown.status, thrown.detail], [403, 'tenant "acme" is disabled']);
          assert.deepEqual(
            [thrown.holder.tenantId, thrown.holder.tenantName, thrown.holder.tokenId],
            ['t-1', 'acme', `oauth:${secretClient.id}`],
          );
          return true;
        });
      } finally {
        await store.setTenantDisabled('t-1', null);
        service.forget(secretClient.id);
      }
    });

    it('without a clock of its own, the service runs on the real one', async () => {
      const real = createTokenService({
        store,
        keys: createSigningKeys({ store, rotationSeconds: 30 * 86_400 }),
        verifier: createJwtVerifier({ refreshCooldownMs: 0 }),
        issuer: ISSUER,
        audience: AUDIENCE,
        rateLimit: OFF,
      });
      const before = Math.floor(Date.now() / 1000);
      const claims = decode((await real.token(request(GRANT, basic(secretClient.id, secretClient.secret).authorization))).access_token)[1];
      const issuedAt = Number(claims['iat']);
      assert.ok(issuedAt >= before && issuedAt <= Math.floor(Date.now() / 1000), `iat ${issuedAt}`);
    });

    it('issued(): whether unverified claims name scimd as issuer', () => {
      assert.equal(service.issuer, ISSUER);
      assert.equal(service.issued({ iss: ISSUER }), true);
      assert.equal(service.issued({ iss: 'urn:scimd' }), false);
      assert.equal(service.issued({}), false);
    });
  });
});
