import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, type Harness, startHarness } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-oauth-tests';

describe('admin API: per-tenant OAuth issuers', () => {
  let h: Harness;
  const settings = { issuer: 'https://idp.example.com', jwksUrl: 'https://idp.example.com/jwks.json', audience: 'scimd' };

  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(async () => {
    await h.close();
  });

  const call = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) => {
    const res = await h.server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${ADMIN}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json(), headers: res.headers };
  };

  it("PUT sets a tenant's issuer with defaults, GET shows it, the list has it, DELETE removes it", async () => {
    const put = await call('PUT', '/admin/tenants/acme/oauth', settings);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(
      { ...put.body, tenantId: undefined, createdAt: undefined, updatedAt: undefined },
      {
        tenant: 'acme',
        tenantId: undefined,
        ...settings,
        tenantClaim: 'tenant',
        tenantValue: 'acme',
        algorithms: ['RS256'],
        clockSkewSeconds: 60,
        subjectAttribute: 'userName',
        createdAt: undefined,
        updatedAt: undefined,
      },
    );
    assert.deepEqual((await call('GET', '/admin/tenants/acme/oauth')).body, put.body);
    assert.deepEqual(
      (await call('GET', '/admin/oauth-issuers')).body.issuers.map((i: { tenant: string }) => i.tenant),
      ['acme'],
    );

    const replaced = await call('PUT', '/admin/tenants/acme/oauth', { ...settings, algorithms: ['ES256'], clockSkewSeconds: 5 });
    assert.deepEqual(replaced.body.algorithms, ['ES256']);
    assert.equal(replaced.body.createdAt, put.body.createdAt);

    assert.equal((await call('DELETE', '/admin/tenants/acme/oauth')).status, 204);
    const gone = await call('GET', '/admin/tenants/acme/oauth');
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body.schemas, [ERROR_SCHEMA]);
    assert.equal((await call('DELETE', '/admin/tenants/acme/oauth')).status, 404);
  });

  it('refuses a bad configuration with 400, an unknown tenant with 404, a taken (issuer, claim, value) with 409', async () => {
    const none = await call('PUT', '/admin/tenants/acme/oauth', { ...settings, algorithms: ['none'] });
    assert.equal(none.status, 400);
    assert.match(none.body.detail, /"none" and HMAC/);
    assert.equal((await call('PUT', '/admin/tenants/nobody/oauth', settings)).status, 404);
    assert.equal((await call('PUT', '/admin/tenants/acme/oauth', { ...settings, tenantValue: 'shared' })).status, 200);
    const taken = await call('PUT', '/admin/tenants/globex/oauth', { ...settings, tenantValue: 'shared' });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.scimType, 'uniqueness');
  });
});
