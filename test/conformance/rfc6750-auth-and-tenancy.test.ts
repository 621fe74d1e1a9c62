import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe('rfc6750 bearer authentication', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  for (const [name, token] of [
    ['missing', null],
    ['unknown', 'scimd_not-a-real-token'],
  ] as const) {
    it(`a ${name} token → 401 with WWW-Authenticate: Bearer and a SCIM body`, async () => {
      const res = await h.request('GET', '/Users', { token });
      assert.equal(res.status, 401);
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      assert.equal(res.body.status, '401');
      assert.deepEqual(res.body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    });
  }

  it('a non-Bearer scheme → 401', async () => {
    const res = await h.request('GET', '/Users', { token: null, headers: { authorization: `Basic ${btoa('a:b')}` } });
    assert.equal(res.status, 401);
  });

  it('a revoked token → 401', async () => {
    const minted = await h.server.tenants.mintToken('acme');
    assert.equal((await h.request('GET', '/Users', { token: minted.token })).status, 200);
    await h.server.tenants.revokeToken(minted.id);
    assert.equal((await h.request('GET', '/Users', { token: minted.token })).status, 401);
  });

  it('an expired token → 401', async () => {
    const minted = await h.server.tenants.mintToken('acme', { expires: '1m' });
    assert.equal((await h.request('GET', '/Users', { token: minted.token })).status, 200);
    const tenant = await h.server.store.findTenantByName('acme');
    const expired = await h.server.store.createToken({
      id: 'tok_expired',
      tenantId: tenant!.id,
      hash: (await import('../../src/auth/secrets.ts')).hashSecret('scimd_expired_secret'),
      createdAt: '2020-01-01T00:00:00.000Z',
      expiresAt: '2020-02-01T00:00:00.000Z',
    });
    assert.equal(expired.id, 'tok_expired');
    const res = await h.request('GET', '/Users', { token: 'scimd_expired_secret' });
    assert.equal(res.status, 401);
    assert.match(res.body.detail, /expired/);
  });

  it('tokens are stored only as hashes', async () => {
    const minted = await h.server.tenants.mintToken('acme');
    const tokens = await h.server.store.listTokens();
    assert.ok(!JSON.stringify(tokens).includes(minted.token));
  });
});

describe('tenant isolation', () => {
  let h: Harness;
  let userA: { id: string };
  let groupA: { id: string };
  before(async () => {
    h = await startHarness();
    userA = (await h.request('POST', '/Users', { body: userBody('shared@example.com') })).body;
    groupA = (await h.request('POST', '/Groups', { body: groupBody('Shared Name', [userA.id]) })).body;
  });
  after(() => h.close());

  it("another tenant's id is a 404 for GET, PUT and DELETE", async () => {
    assert.equal((await h.request('GET', `/Users/${userA.id}`, { token: h.tokenB })).status, 404);
    assert.equal((await h.request('GET', `/Groups/${groupA.id}`, { token: h.tokenB })).status, 404);
    assert.equal((await h.request('PUT', `/Users/${userA.id}`, { token: h.tokenB, body: userBody('x@example.com') })).status, 404);
    assert.equal((await h.request('DELETE', `/Users/${userA.id}`, { token: h.tokenB })).status, 404);
    assert.equal((await h.request('GET', `/Users/${userA.id}`)).status, 200);
  });

  it("another tenant's userName and group displayName are no conflict", async () => {
    assert.equal((await h.request('POST', '/Users', { token: h.tokenB, body: userBody('shared@example.com') })).status, 201);
    assert.equal((await h.request('POST', '/Groups', { token: h.tokenB, body: groupBody('Shared Name') })).status, 201);
  });

  it("lists and filters see only the tenant's own resources", async () => {
    const listB = await h.request('GET', '/Users', { token: h.tokenB });
    assert.ok(listB.body.Resources.every((u: { id: string }) => u.id !== userA.id));
    const filtered = await h.request('GET', `/Users?filter=${encodeURIComponent(`id eq "${userA.id}"`)}`, { token: h.tokenB });
    assert.equal(filtered.body.totalResults, 0);
  });
});
