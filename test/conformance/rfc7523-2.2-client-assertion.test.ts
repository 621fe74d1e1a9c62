import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';
import { startIssuer, type TestIssuer } from '../helpers/issuer.ts';
import { type TokenReply, tokenRequest } from '../helpers/oauth-client.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The token endpoint as the harness reaches it: SCIMD_PUBLIC_URL + /oauth/token. */
const ENDPOINT = 'https://scim.example.com/oauth/token';

function assertInvalidClient(res: TokenReply, detail?: RegExp): void {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.equal(res.body.error, 'invalid_client');
  if (detail) assert.match(res.body.error_description, detail);
}

async function assertion(key: CryptoKey, claims: Record<string, unknown>, expiresIn = 300, alg = 'ES256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + expiresIn, jti: crypto.randomUUID(), ...claims }).setProtectedHeader({ alg }).sign(key);
}

describe('rfc7523 §2.2 JWT client authentication at POST /oauth/token (private_key_jwt)', () => {
  let h: Harness;
  let clientId: string;
  let privateKey: CryptoKey;
  const form = (jwt: string, extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER,
    client_assertion: jwt,
    ...extra,
  });

  before(async () => {
    h = await startHarness({ SCIMD_RATE_LIMIT_OAUTH_TOKEN: '0' });
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const created = await h.server.oauthClients.create('acme', { jwks: { keys: [await exportJWK(pair.publicKey)] }, secret: false });
    clientId = created.client.id;
    assert.equal(created.issued, undefined, 'no secret asked for');
  });
  after(async () => {
    await h.close();
  });

  it('§3: an assertion with iss = sub = client_id and aud = the token endpoint, signed with the registered key, gets a token', async () => {
    const res = await tokenRequest(h, form(await assertion(privateKey, { iss: clientId, sub: clientId, aud: ENDPOINT })));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await h.request('GET', '/Users', { token: res.body.access_token })).status, 200);
  });

  it('§3: aud may also be the issuer identifier; client_id in the body must match', async () => {
    const jwt = await assertion(privateKey, { iss: clientId, sub: clientId, aud: 'https://scim.example.com' });
    assert.equal((await tokenRequest(h, form(jwt, { client_id: clientId }))).status, 200);
  });

  it('a PEM public key registers as well (RSA, RS256)', async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const created = await h.server.oauthClients.create('acme', { jwks: await exportSPKI(pair.publicKey), secret: false });
    const id = created.client.id;
    const jwt = await assertion(pair.privateKey, { iss: id, sub: id, aud: ENDPOINT }, 300, 'RS256');
    assert.equal((await tokenRequest(h, form(jwt))).status, 200);
  });

  it('§3 item 7 / RFC 7521 §4.2.1: invalid_client for a wrong key, a wrong aud, an expired assertion, a missing exp', async () => {
    const other = (await generateKeyPair('ES256')).privateKey;
    assertInvalidClient(await tokenRequest(h, form(await assertion(other, { iss: clientId, sub: clientId, aud: ENDPOINT }))), /signature/);
    assertInvalidClient(
      await tokenRequest(h, form(await assertion(privateKey, { iss: clientId, sub: clientId, aud: 'https://elsewhere.example' }))),
      /"aud"/,
    );
    assertInvalidClient(
      await tokenRequest(h, form(await assertion(privateKey, { iss: clientId, sub: clientId, aud: ENDPOINT }, -600))),
      /expired/,
    );
    const noExp = await new SignJWT({ iss: clientId, sub: clientId, aud: ENDPOINT }).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    assertInvalidClient(await tokenRequest(h, form(noExp)), /"exp"/);
  });

  it('a client without a registered key, an unknown client, or an assertion that is no JWT: invalid_client', async () => {
    const plain = await h.server.oauthClients.create('acme', {});
    const id = plain.client.id;
    assertInvalidClient(await tokenRequest(h, form(await assertion(privateKey, { iss: id, sub: id, aud: ENDPOINT }))), /no registered key/);
    assertInvalidClient(
      await tokenRequest(h, form(await assertion(privateKey, { iss: 'client_nope', sub: 'client_nope', aud: ENDPOINT }))),
    );
    assertInvalidClient(await tokenRequest(h, form('not-a-jwt')));
  });

  it('RFC 7521 §4.2: a wrong client_assertion_type is invalid_client; an assertion without its type is invalid_request', async () => {
    const jwt = await assertion(privateKey, { iss: clientId, sub: clientId, aud: ENDPOINT });
    assertInvalidClient(await tokenRequest(h, form(jwt, { client_assertion_type: 'urn:example:saml' })));
    const res = await tokenRequest(h, { grant_type: 'client_credentials', client_assertion: jwt });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_request');
  });

  it('a private key registered as the client key is refused (400), as is an HMAC key', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    await assert.rejects(h.server.oauthClients.create('acme', { jwks: await exportJWK(pair.privateKey) }), /private/);
    await assert.rejects(h.server.oauthClients.create('acme', { jwks: { kty: 'oct', k: 'c2VjcmV0' } }), /private or secret/);
  });
});

describe('rfc7523 §2.2 workload identity federation: a client assertion of the tenant trusted issuer', () => {
  let h: Harness;
  let idp: TestIssuer;
  let clientId: string;
  const SUBJECT = 'system:serviceaccount:provisioning:entra-sync';
  const form = (jwt: string, id: string) => ({
    grant_type: 'client_credentials',
    client_id: id,
    client_assertion_type: JWT_BEARER,
    client_assertion: jwt,
  });

  before(async () => {
    h = await startHarness({ SCIMD_RATE_LIMIT_OAUTH_TOKEN: '0', SCIMD_JWKS_REFRESH_COOLDOWN: '0' });
    idp = await startIssuer();
    await h.server.oauth.set('acme', { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'scimd' });
    clientId = (await h.server.oauthClients.create('acme', { federatedSubject: SUBJECT, secret: false })).client.id;
  });
  after(async () => {
    await h.close();
    await idp.close();
  });

  it("an assertion of the tenant's trusted issuer for the client's federated subject gets a token for that tenant", async () => {
    const res = await tokenRequest(h, form(await idp.sign(SUBJECT), clientId));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const token = res.body.access_token;
    const made = await h.request('POST', '/Users', { token, body: userBody('federated@example.com') });
    assert.equal(made.status, 201, made.raw);
    assert.equal((await h.request('GET', `/Users/${made.body.id}`, { token: h.tokenB })).status, 404, 'not in globex');
  });

  it('another subject, another audience, or an expired assertion: invalid_client', async () => {
    assertInvalidClient(await tokenRequest(h, form(await idp.sign('someone-else'), clientId)), /federated subject/);
    assertInvalidClient(await tokenRequest(h, form(await idp.sign(SUBJECT, { claims: { aud: 'other' } }), clientId)), /"aud"/);
    assertInvalidClient(await tokenRequest(h, form(await idp.sign(SUBJECT, { expiresIn: -600 }), clientId)), /expired/);
  });

  it("the federated audience of the client replaces the issuer's audience", async () => {
    const id = (
      await h.server.oauthClients.create('acme', {
        federatedSubject: SUBJECT,
        federatedAudience: 'api://AzureADTokenExchange',
        secret: false,
      })
    ).client.id;
    const jwt = await idp.sign(SUBJECT, { claims: { aud: 'api://AzureADTokenExchange' } });
    assert.equal((await tokenRequest(h, form(jwt, id))).status, 200);
    assertInvalidClient(await tokenRequest(h, form(await idp.sign(SUBJECT), id)), /"aud"/);
  });

  it("a client of a tenant that trusts no issuer, or whose tenant claim is another's, gets nothing", async () => {
    const globexClient = (await h.server.oauthClients.create('globex', { federatedSubject: SUBJECT, secret: false })).client.id;
    assertInvalidClient(
      await tokenRequest(h, form(await idp.sign(SUBJECT, { claims: { tenant: 'globex' } }), globexClient)),
      /trusted issuer/,
    );
    assertInvalidClient(await tokenRequest(h, form(await idp.sign(SUBJECT, { claims: { tenant: 'globex' } }), clientId)));
  });

  it('a client without a federated subject accepts no assertion of another issuer', async () => {
    const id = (await h.server.oauthClients.create('acme', {})).client.id;
    assertInvalidClient(await tokenRequest(h, form(await idp.sign(SUBJECT), id)), /no federated subject/);
  });
});
