import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { ERROR_SCHEMA, type Harness, startHarness } from '../helpers/harness.ts';

describe('rate limits: 429 with a SCIM error body and Retry-After', () => {
  let h: Harness;
  // The server's clock stands still, so no bucket refills while the test runs, however slow the machine.
  const now = new Date();
  before(async () => {
    h = await startHarness(
      { SCIMD_RATE_LIMIT_TENANT: '1', SCIMD_RATE_LIMIT_TENANT_BURST: '5', SCIMD_RATE_LIMIT_TOKEN: '1', SCIMD_RATE_LIMIT_TOKEN_BURST: '3' },
      { clock: () => now },
    );
  });
  after(() => h.close());

  it("a token past its burst gets 429; another token of the tenant still passes until the tenant's burst is spent; another tenant is untouched", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', '/Users')).status, 200);
    const refused = await h.request('GET', '/Users');
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body.schemas, [ERROR_SCHEMA]);
    assert.equal(refused.body.status, '429');
    assert.match(refused.body.detail, /per token/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);

    const second = (await h.server.tenants.mintToken('acme')).token;
    assert.equal((await h.request('GET', '/Users', { token: second })).status, 200);
    assert.equal((await h.request('GET', '/Users', { token: second })).status, 200);
    const tenantRefused = await h.request('GET', '/Users', { token: second });
    assert.equal(tenantRefused.status, 429);
    assert.match(tenantRefused.body.detail, /per tenant/);

    assert.equal((await h.request('GET', '/Users', { token: h.tokenB })).status, 200);
  });

  it('health endpoints and unauthenticated requests are not counted', async () => {
    await h.server.tenants.createTenant('initech');
    const token = (await h.server.tenants.mintToken('initech')).token;
    for (let i = 0; i < 10; i++) {
      assert.equal((await h.request('GET', '/healthz', { token })).status, 200);
      assert.equal((await h.request('GET', '/readyz', { token })).status, 200);
      assert.equal((await h.request('GET', '/Users', { token: null })).status, 401);
      assert.equal((await h.request('GET', '/Users', { token: `${token}x` })).status, 401);
    }
    // The token's whole burst of 3 is still there, and no more than that.
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', '/Users', { token })).status, 200, `request ${i + 1} of the burst`);
    assert.equal((await h.request('GET', '/Users', { token })).status, 429);
  });

  it("defaults are far above Entra's 25 requests/s per tenant", () => {
    const { rateLimits } = loadConfig({});
    assert.ok(rateLimits.tenant.perSecond >= 40 * 25, `tenant: ${rateLimits.tenant.perSecond}/s`);
    assert.ok(rateLimits.token.perSecond >= 20 * 25, `token: ${rateLimits.token.perSecond}/s`);
  });
});
