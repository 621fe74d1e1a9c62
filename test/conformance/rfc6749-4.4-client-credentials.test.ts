import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';
import { basic, type TokenReply, tokenRequest } from '../helpers/oauth-client.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ADMIN = 'admin-secret-for-the-oauth-client-tests';

/** RFC 6749 §5.2: a JSON error body with `error` (and a description), never cached. */
function assertOAuthError(res: TokenReply, status: number, error: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error, error);
  assert.equal(typeof res.body.error_description, 'string');
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(res.headers['cache-control'], 'no-store');
}

describe('rfc6749 §4.4 client credentials grant at POST /oauth/token', () => {
  let h: Harness;
  let now = Date.parse('2026-12-01T00:00:00.000Z');
  const clock = () => new Date(now);
  let acme: { id: string; secret: string };
  let globex: { id: string; secret: string };

  const createClient = async (tenant: string, input: Record<string, unknown> = {}) => {
    const created = await h.server.oauthClients.create(tenant, input);
    return { id: created.client.id, secret: created.issued!.secret };
  };
  const tokenFor = async (client: { id: string; secret: string }) => {
    const res = await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  };

  before(async () => {
    // The token endpoint's own rate limit is tested apart (below); off here.
    h = await startHarness({ SCIMD_RATE_LIMIT_OAUTH_TOKEN: '0', SCIMD_ADMIN_TOKEN: ADMIN }, { clock });
    acme = await createClient('acme');
    globex = await createClient('globex');
  });
  after(async () => {
    await h.close();
  });

  it('§4.4.3 client_secret_basic: 200 with a Bearer access token of 3600 s, never cached (§5.1)', async () => {
    const res = await tokenRequest(h, { grant_type: 'client_credentials' }, basic(acme.id, acme.secret));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.equal(typeof res.body.access_token, 'string');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['pragma'], 'no-cache');
    const claims = decodeJwt(res.body.access_token);
    assert.equal(claims.sub, acme.id);
    assert.equal(claims.client_id, acme.id);
    assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
    assert.equal(decodeProtectedHeader(res.body.access_token).typ, 'at+jwt', 'RFC 9068 §2.1');
  });

  it('§2.3.1 client_secret_post: client_id and client_secret in the form body', async () => {
    const res = await tokenRequest(h, { grant_type: 'client_credentials', client_id: acme.id, client_secret: acme.secret });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('the access token works on the SCIM API of its tenant, and on no other (isolation both ways)', async () => {
    const acmeToken = await tokenFor(acme);
    const globexToken = await tokenFor(globex);
    const made = await h.request('POST', '/Users', { token: acmeToken, body: userBody('oauth-made@example.com') });
    assert.equal(made.status, 201, made.raw);
    assert.equal((await h.request('GET', `/Users/${made.body.id}`)).status, 200, "acme's static token sees it");
    assert.equal((await h.request('GET', `/Users/${made.body.id}`, { token: globexToken })).status, 404, "globex's client does not");
    const theirs = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('globex-only@example.com') });
    assert.equal(
      (await h.request('GET', `/Users/${theirs.body.id}`, { token: acmeToken })).status,
      404,
      "acme's client does not see globex's",
    );
    assert.equal((await h.request('GET', `/Users/${theirs.body.id}`, { token: globexToken })).status, 200);
    const listed = await h.request('GET', '/Users', { token: globexToken });
    assert.ok(listed.body.Resources.every((u: { userName: string }) => u.userName !== 'oauth-made@example.com'));
  });

  it('the token is signed with a key published at /oauth/jwks.json (public halves only)', async () => {
    const token = await tokenFor(acme);
    const res = await h.server.app.inject({ method: 'GET', url: '/oauth/jwks.json' });
    assert.equal(res.statusCode, 200);
    const jwks = res.json() as JSONWebKeySet;
    assert.ok(jwks.keys.length >= 1);
    for (const key of jwks.keys) assert.equal((key as { d?: string }).d, undefined, 'no private member');
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { currentDate: clock() });
    assert.equal(payload.sub, acme.id);
  });

  it('RFC 7643 §5: ServiceProviderConfig lists the client credentials scheme for a tenant with OAuth clients', async () => {
    const schemes = (await h.request('GET', '/ServiceProviderConfig')).body.authenticationSchemes;
    assert.deepEqual(
      schemes.map((s: { type: string; primary: boolean; specUri: string }) => [s.type, s.primary, s.specUri]),
      [
        ['oauthbearertoken', true, 'https://www.rfc-editor.org/info/rfc6750'],
        ['oauthbearertoken', false, 'https://www.rfc-editor.org/info/rfc6749'],
      ],
    );
  });

  it('RFC 8414 §3: /.well-known/oauth-authorization-server names the issuer, the token endpoint, the JWKS and the methods', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    assert.equal(res.statusCode, 200);
    const metadata = res.json();
    assert.equal(metadata.issuer, 'https://scim.example.com', 'SCIMD_PUBLIC_URL of the harness');
    assert.equal(metadata.token_endpoint, 'https://scim.example.com/oauth/token');
    assert.equal(metadata.jwks_uri, 'https://scim.example.com/oauth/jwks.json');
    assert.deepEqual(metadata.grant_types_supported, ['client_credentials']);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
    assert.equal(decodeJwt(await tokenFor(acme)).iss, metadata.issuer);
  });

  it('§5.2 invalid_client: a wrong secret or an unknown client is 401 with WWW-Authenticate: Basic', async () => {
    for (const credentials of [basic(acme.id, 'scimd_cs_wrong'), basic('client_unknown', acme.secret), basic(globex.id, acme.secret)]) {
      const res = await tokenRequest(h, { grant_type: 'client_credentials' }, credentials);
      assertOAuthError(res, 401, 'invalid_client');
      assert.match(String(res.headers['www-authenticate']), /^Basic realm="scimd"/);
    }
    assertOAuthError(
      await tokenRequest(h, { grant_type: 'client_credentials', client_id: acme.id, client_secret: 'nope' }),
      401,
      'invalid_client',
    );
    assertOAuthError(await tokenRequest(h, { grant_type: 'client_credentials', client_id: acme.id }), 401, 'invalid_client');
    assertOAuthError(await tokenRequest(h, { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }), 401, 'invalid_client');
  });

  it('§5.2 invalid_request: no grant_type, a repeated parameter, two authentication methods, a body not form-encoded', async () => {
    assertOAuthError(await tokenRequest(h, {}, basic(acme.id, acme.secret)), 400, 'invalid_request');
    assertOAuthError(
      await tokenRequest(h, 'grant_type=client_credentials&grant_type=client_credentials', basic(acme.id, acme.secret)),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await tokenRequest(
        h,
        { grant_type: 'client_credentials', client_id: acme.id, client_secret: acme.secret },
        basic(acme.id, acme.secret),
      ),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await tokenRequest(h, JSON.stringify({ grant_type: 'client_credentials' }), {
        ...basic(acme.id, acme.secret),
        'content-type': 'application/json',
      }),
      400,
      'invalid_request',
    );
    assertOAuthError(
      await tokenRequest(h, 'grant_type=client_credentials', { ...basic(acme.id, acme.secret), 'content-type': 'text/plain' }),
      400,
      'invalid_request',
    );
  });

  it('§5.2 unsupported_grant_type: any grant but client_credentials', async () => {
    for (const grant of ['password', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
      assertOAuthError(await tokenRequest(h, { grant_type: grant }, basic(acme.id, acme.secret)), 400, 'unsupported_grant_type');
    }
  });

  it('§3.2: only POST; other methods are 405 with Allow', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/oauth/token' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers['allow'], 'POST');
  });

  it('several secrets are active at once, each with its expiry; revoking one leaves the others working', async () => {
    const client = await createClient('acme', { secretExpiresInDays: 30 });
    const second = await h.server.oauthClients.addSecret('acme', client.id, { expiresInDays: 90 });
    const shown = await h.server.oauthClients.show('acme', client.id);
    assert.equal(shown.secrets.length, 2);
    assert.deepEqual(
      shown.secrets.map((s) => Date.parse(s.expiresAt) - now).sort((a, b) => a - b),
      [30 * DAY, 90 * DAY],
    );
    await tokenFor(client);
    await tokenFor({ id: client.id, secret: second.secret });
    const first = shown.secrets.find((s) => s.id !== second.id)!;
    await h.server.oauthClients.revokeSecret('acme', client.id, first.id);
    assertOAuthError(await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret)), 401, 'invalid_client');
    await tokenFor({ id: client.id, secret: second.secret });
  });

  it('an expired secret is refused with invalid_client; the unexpired one still works', async () => {
    const client = await createClient('acme', { secretExpiresInDays: 1 });
    const later = await h.server.oauthClients.addSecret('acme', client.id, { expiresInDays: 10 });
    const saved = now;
    now += 2 * DAY;
    try {
      const res = await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret));
      assertOAuthError(res, 401, 'invalid_client');
      assert.match(res.body.error_description, /expired/);
      await tokenFor({ id: client.id, secret: later.secret });
    } finally {
      now = saved;
    }
  });

  it('secrets are stored as their SHA-256 only, and no listing shows them', async () => {
    const client = await createClient('acme');
    const hash = createHash('sha256').update(client.secret).digest('hex');
    assert.ok(await h.server.store.findOAuthClientSecret(client.id, hash));
    const listed = JSON.stringify(await h.server.oauthClients.show('acme', client.id));
    assert.ok(!listed.includes(client.secret));
    assert.ok(!listed.includes(hash));
  });

  it('each secret shows when it last got a token, so that an old one can be revoked once unused', async () => {
    const client = await createClient('acme');
    const view = async () => (await h.server.oauthClients.show('acme', client.id)).secrets[0]!;
    assert.equal((await view()).lastUsedAt, undefined);
    await tokenFor(client);
    assert.equal((await view()).lastUsedAt, new Date(now).toISOString());
  });

  it('the token lifetime is configurable per client and clamped to 60 minutes .. 6 hours', async () => {
    for (const [asked, given] of [
      [60, 3600],
      [7200, 7200],
      [999_999, 21_600],
    ] as const) {
      const client = await createClient('acme', { tokenLifetimeSeconds: asked });
      const res = await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret));
      assert.equal(res.body.expires_in, given);
      const claims = decodeJwt(res.body.access_token);
      assert.equal(Number(claims.exp) - Number(claims.iat), given);
    }
  });

  it('an expired access token is refused with 401 invalid_token', async () => {
    const token = await tokenFor(acme);
    const saved = now;
    now += HOUR + 2 * 60_000;
    try {
      const res = await h.request('GET', '/Users', { token });
      assert.equal(res.status, 401, res.raw);
      assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
    } finally {
      now = saved;
    }
  });

  it('a revoked client gets no tokens, and its access tokens are refused at once', async () => {
    const client = await createClient('acme');
    const token = await tokenFor(client);
    assert.equal((await h.request('GET', '/Users', { token })).status, 200);
    await h.server.oauthClients.remove('acme', client.id);
    assert.equal((await h.request('GET', '/Users', { token })).status, 401);
    assertOAuthError(await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret)), 401, 'invalid_client');
  });

  it("a disabled tenant's client gets no token (unauthorized_client) and its tokens are 403", async () => {
    await h.server.tenants.createTenant('initech');
    const client = await createClient('initech');
    const token = await tokenFor(client);
    await h.server.tenants.disableTenant('initech');
    try {
      assertOAuthError(
        await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret)),
        400,
        'unauthorized_client',
      );
      now += 2000; // past the one-second client cache
      assert.equal((await h.request('GET', '/Users', { token })).status, 403);
    } finally {
      await h.server.tenants.enableTenant('initech');
    }
  });

  it('a token of another issuer that claims to be ours does not verify (signature)', async () => {
    const token = await tokenFor(acme);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
    assert.equal((await h.request('GET', '/Users', { token: forged })).status, 401);
  });

  it('admin API: create shows the secret once; list, rotate, revoke', async () => {
    const call = async (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: unknown) => {
      const res = await h.server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${ADMIN}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
    };
    const created = await call('POST', '/admin/tenants/acme/oauth/clients', { name: 'Entra ID' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { client_id: id, client_secret: secret } = created.body;
    assert.match(secret, /^scimd_cs_/);
    assert.equal(created.body.client.name, 'Entra ID');
    await tokenFor({ id, secret });
    const listed = await call('GET', '/admin/tenants/acme/oauth/clients');
    assert.ok(listed.body.clients.some((c: { clientId: string }) => c.clientId === id));
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'shown once');
    const rotated = await call('POST', `/admin/tenants/acme/oauth/clients/${id}/secrets`, { expiresInDays: 7 });
    assert.equal(rotated.status, 201);
    await tokenFor({ id, secret: rotated.body.client_secret });
    const patched = await call('PATCH', `/admin/tenants/acme/oauth/clients/${id}`, { tokenLifetimeSeconds: 7200 });
    assert.equal(patched.body.tokenLifetimeSeconds, 7200);
    assert.equal((await call('GET', `/admin/tenants/globex/oauth/clients/${id}`)).status, 404, "not globex's client");
    assert.equal((await call('POST', '/admin/tenants/acme/oauth/clients', { bogus: 1 })).status, 400);
    assert.equal((await call('DELETE', `/admin/tenants/acme/oauth/clients/${id}/secrets/${rotated.body.secretId}`)).status, 204);
    assert.equal((await call('DELETE', `/admin/tenants/acme/oauth/clients/${id}`)).status, 204);
    assert.equal((await call('GET', `/admin/tenants/acme/oauth/clients/${id}`)).status, 404);
  });
});

describe('rate limit of POST /oauth/token (per client address and per client_id)', () => {
  let h: Harness;
  before(async () => {
    // A still clock: no bucket refills between the requests, however slow the machine.
    const still = new Date('2026-12-01T00:00:00.000Z');
    h = await startHarness({ SCIMD_RATE_LIMIT_OAUTH_TOKEN: '1', SCIMD_RATE_LIMIT_OAUTH_TOKEN_BURST: '2' }, { clock: () => still });
  });
  after(async () => {
    await h.close();
  });

  it('beyond the burst: 429 with Retry-After and an RFC 6749 error body; another address is not held up', async () => {
    const form = { grant_type: 'client_credentials' };
    const wrong = basic('client_x', 'wrong');
    for (let i = 0; i < 2; i++) assert.equal((await tokenRequest(h, form, wrong, '192.0.2.1')).status, 401);
    const limited = await tokenRequest(h, form, wrong, '192.0.2.1');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'temporarily_unavailable');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const created = await h.server.oauthClients.create('acme', {});
    const other = await tokenRequest(h, form, basic(created.client.id, created.issued!.secret), '192.0.2.2');
    assert.equal(other.status, 200, JSON.stringify(other.body));
  });
});
