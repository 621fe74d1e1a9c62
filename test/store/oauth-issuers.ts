import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScimError } from '../../src/errors/scim-error.ts';
import type { OAuthIssuerSettings } from '../../src/store/ports/oauth-issuers.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { describe, it } from '../../src/store/testing/skippable.ts';
import { LENIENT, T0 } from './helpers.ts';

const T1 = '2024-06-01T12:00:00.000Z';

const settings = (overrides: Partial<OAuthIssuerSettings> = {}): OAuthIssuerSettings => ({
  issuer: 'https://idp.example.com',
  jwksUrl: 'https://idp.example.com/jwks.json',
  audience: 'scimd',
  tenantClaim: 'tenant',
  tenantValue: 'v',
  algorithms: ['RS256', 'ES256'],
  clockSkewSeconds: 60,
  subjectAttribute: 'userName',
  ...overrides,
});

const scimStatus = (status: number) => (error: unknown) => error instanceof ScimError && error.status === status;

/** Part of storeContract: per-tenant OAuth issuers (migration 6), the same on every store. */
export function oauthIssuerContract(storeOf: () => Store): void {
  describe('OAuth issuers', () => {
    it('puts, finds by tenant and by issuer, replaces keeping createdAt, lists and deletes', async () => {
      const store = storeOf();
      const tenant = await store.createTenant({ id: randomUUID(), name: `oauth-${randomUUID()}`, createdAt: T0 });
      const put = await store.putOAuthIssuer(tenant.id, settings({ tenantValue: tenant.name }), T0);
      assert.deepEqual(put, {
        ...settings({ tenantValue: tenant.name }),
        tenantId: tenant.id,
        tenantName: tenant.name,
        createdAt: T0,
        updatedAt: T0,
        tenantProfile: LENIENT,
      });
      assert.deepEqual(await store.findOAuthIssuer(tenant.id), put);
      assert.ok((await store.findOAuthIssuersByIssuer('https://idp.example.com')).some((r) => r.tenantId === tenant.id));
      assert.deepEqual(await store.findOAuthIssuersByIssuer('https://other.example.com'), []);
      assert.deepEqual(await store.findOAuthIssuersByIssuer('https://idp.example.com\u0000'), []);

      const replaced = await store.putOAuthIssuer(
        tenant.id,
        settings({
          issuer: 'https://idp2.example.com',
          tenantValue: tenant.name,
          algorithms: ['EdDSA'],
          clockSkewSeconds: 5,
          subjectAttribute: 'id',
        }),
        T1,
      );
      assert.equal(replaced.createdAt, T0);
      assert.equal(replaced.updatedAt, T1);
      assert.deepEqual(replaced.algorithms, ['EdDSA']);
      assert.equal(replaced.clockSkewSeconds, 5);
      assert.equal(replaced.subjectAttribute, 'id');
      assert.ok(!(await store.findOAuthIssuersByIssuer('https://idp.example.com')).some((r) => r.tenantId === tenant.id));
      assert.ok((await store.listOAuthIssuers()).some((r) => r.tenantId === tenant.id && r.issuer === 'https://idp2.example.com'));

      assert.equal(await store.deleteOAuthIssuer(tenant.id), true);
      assert.equal(await store.deleteOAuthIssuer(tenant.id), false);
      assert.equal(await store.findOAuthIssuer(tenant.id), undefined);
    });

    it('one (issuer, tenant claim, value) names one tenant: 409 uniqueness; an unknown tenant is 404', async () => {
      const store = storeOf();
      const value = `shared-${randomUUID()}`;
      const a = await store.createTenant({ id: randomUUID(), name: `oauth-${randomUUID()}`, createdAt: T0 });
      const b = await store.createTenant({ id: randomUUID(), name: `oauth-${randomUUID()}`, createdAt: T0 });
      await store.putOAuthIssuer(a.id, settings({ tenantValue: value }), T0);
      await assert.rejects(store.putOAuthIssuer(b.id, settings({ tenantValue: value }), T0), scimStatus(409));
      assert.equal(await store.findOAuthIssuer(b.id), undefined);
      await store.putOAuthIssuer(b.id, settings({ tenantValue: value, tenantClaim: 'tid' }), T0);
      await assert.rejects(store.putOAuthIssuer(randomUUID(), settings({ tenantValue: `x-${randomUUID()}` }), T0), scimStatus(404));
    });
  });
}
