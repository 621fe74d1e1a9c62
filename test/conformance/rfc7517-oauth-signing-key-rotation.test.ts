import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { basic, tokenRequest } from '../helpers/oauth-client.ts';

const HOUR = 3_600_000;

describe("rfc7517 §5 the JWK Set of scimd's access tokens: keys rotated and published (/oauth/jwks.json)", () => {
  let h: Harness;
  let now = Date.parse('2026-12-01T00:00:00.000Z');
  const clock = () => new Date(now);
  let client: { id: string; secret: string };

  const jwks = async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/oauth/jwks.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
    return res.json() as JSONWebKeySet;
  };
  const token = async () => {
    const res = await tokenRequest(h, { grant_type: 'client_credentials' }, basic(client.id, client.secret));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  };
  const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

  before(async () => {
    // Rotation every 2 hours; tokens live 6 hours here, the longest allowed.
    h = await startHarness({ SCIMD_RATE_LIMIT_OAUTH_TOKEN: '0', SCIMD_OAUTH_KEY_ROTATION: '7200' }, { clock });
    const created = await h.server.oauthClients.create('acme', { tokenLifetimeSeconds: 21_600 });
    client = { id: created.client.id, secret: created.issued!.secret };
  });
  after(async () => {
    await h.close();
  });

  it('after the rotation period a new key signs; tokens of the old key stay valid, both keys are published', async () => {
    const first = await token();
    assert.deepEqual(
      (await jwks()).keys.map((k) => k.kid),
      [kidOf(first)],
    );
    now += 2 * HOUR + 1000;
    const second = await token();
    assert.notEqual(kidOf(second), kidOf(first), 'a new key signs');
    const published = await jwks();
    assert.deepEqual(
      published.keys.map((k) => k.kid),
      [kidOf(first), kidOf(second)],
    );
    for (const t of [first, second]) {
      assert.equal((await h.request('GET', '/Users', { token: t })).status, 200);
      await jwtVerify(t, createLocalJWKSet(published), { currentDate: clock() });
    }
  });

  it('a retired key is deleted once the last token it can have signed has expired (6 h + 5 min after its successor)', async () => {
    const kids = (await jwks()).keys.map((k) => k.kid);
    assert.equal(kids.length, 2);
    now += 6 * HOUR + 6 * 60_000; // the second key is due for rotation too: a third key, the first pruned
    const third = await token();
    const after = (await jwks()).keys.map((k) => k.kid);
    assert.ok(!after.includes(kids[0]), 'the first key is gone');
    assert.ok(after.includes(kids[1]), 'the second stays while its tokens may live');
    assert.ok(after.includes(kidOf(third)));
  });

  it('a token naming a key scimd does not have is refused with 401', async () => {
    const t = await token();
    const [, payload, signature] = t.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'scimd-unknown', typ: 'at+jwt' })).toString('base64url');
    const res = await h.request('GET', '/Users', { token: `${header}.${payload}.${signature}` });
    assert.equal(res.status, 401, res.raw);
  });
});
