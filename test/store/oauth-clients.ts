import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScimError } from '../../src/errors/scim-error.ts';
import type { OAuthClientSettings } from '../../src/store/ports/oauth-clients.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { describe, it } from '../../src/store/testing/skippable.ts';
import { LENIENT, T0 } from './helpers.ts';

const T1 = '2024-06-01T12:00:00.000Z';
const LATER = '2025-01-01T00:00:00.000Z';

const settings = (overrides: Partial<OAuthClientSettings> = {}): OAuthClientSettings => ({
  name: 'Entra ID provisioning',
  tokenLifetimeSeconds: 3600,
  jwks: undefined,
  federatedSubject: undefined,
  federatedAudience: undefined,
  ...overrides,
});

const scimStatus = (status: number) => (error: unknown) => error instanceof ScimError && error.status === status;

/** Part of storeContract: scimd's own OAuth clients, their secrets and the signing keys (migrations 20, 21). */
export function oauthClientContract(storeOf: () => Store): void {
  describe('OAuth clients (rfc6749 §2.3.1 client secrets, rfc7523 §2.2 client keys)', () => {
    it('creates, finds, lists by tenant, updates and deletes a client', async () => {
      const store = storeOf();
      const tenant = await store.createTenant({ id: randomUUID(), name: `clients-${randomUUID()}`, createdAt: T0 });
      const id = `client-${randomUUID()}`;
      const created = await store.createOAuthClient({ ...settings(), id, tenantId: tenant.id }, T0);
      assert.deepEqual(created, {
        ...settings(),
        id,
        tenantId: tenant.id,
        tenantName: tenant.name,
        createdAt: T0,
        updatedAt: T0,
        tenantProfile: LENIENT,
      });
      assert.deepEqual(await store.findOAuthClient(id), created);
      assert.equal(await store.findOAuthClient(`${id}\u0000`), undefined);
      const second = await store.createOAuthClient({ ...settings({ name: 'second' }), id: `${id}-2`, tenantId: tenant.id }, T1);
      assert.deepEqual(
        (await store.listOAuthClients(tenant.id)).map((c) => c.id),
        [id, second.id],
      );

      const changed = settings({
        name: 'renamed',
        tokenLifetimeSeconds: 21600,
        jwks: '{"keys":[]}',
        federatedSubject: 'system:serviceaccount:ns:sa',
        federatedAudience: 'api://AzureADTokenExchange',
      });
      const updated = await store.updateOAuthClient(id, changed, T1);
      assert.deepEqual(updated, {
        ...changed,
        id,
        tenantId: tenant.id,
        tenantName: tenant.name,
        createdAt: T0,
        updatedAt: T1,
        tenantProfile: LENIENT,
      });
      assert.equal(await store.updateOAuthClient('missing', changed, T1), undefined);
      const cleared = await store.updateOAuthClient(id, settings(), T1);
      assert.equal(cleared?.jwks, undefined);
      assert.equal(cleared?.federatedSubject, undefined);

      assert.equal(await store.deleteOAuthClient(id), true);
      assert.equal(await store.deleteOAuthClient(id), false);
      assert.equal(await store.findOAuthClient(id), undefined);
      await assert.rejects(
        store.createOAuthClient({ ...settings(), id: `x-${randomUUID()}`, tenantId: randomUUID() }, T0),
        scimStatus(404),
      );
    });

    it('keeps several secrets per client by hash, each with its expiry; deleting the client deletes them', async () => {
      const store = storeOf();
      const tenant = await store.createTenant({ id: randomUUID(), name: `clients-${randomUUID()}`, createdAt: T0 });
      const clientId = `client-${randomUUID()}`;
      await store.createOAuthClient({ ...settings(), id: clientId, tenantId: tenant.id }, T0);
      const first = { id: `sec-${randomUUID()}`, clientId, hint: 'abc', createdAt: T0, expiresAt: LATER };
      const second = { id: `sec-${randomUUID()}`, clientId, hint: 'def', createdAt: T1, expiresAt: LATER };
      const hashA = randomUUID().replaceAll('-', '');
      const hashB = randomUUID().replaceAll('-', '');
      await store.addOAuthClientSecret({ ...first, hash: hashA });
      await store.addOAuthClientSecret({ ...second, hash: hashB });
      assert.deepEqual(await store.listOAuthClientSecrets(clientId), [first, second]);
      assert.deepEqual(await store.findOAuthClientSecret(clientId, hashB), second);
      await store.touchOAuthClientSecret(second.id, T1);
      assert.deepEqual(await store.findOAuthClientSecret(clientId, hashB), { ...second, lastUsedAt: T1 });
      assert.equal(await store.findOAuthClientSecret('another-client', hashB), undefined, 'a secret belongs to its client only');
      assert.equal(await store.findOAuthClientSecret(clientId, 'f'.repeat(64)), undefined);
      assert.equal(await store.deleteOAuthClientSecret(clientId, first.id), true);
      assert.equal(await store.deleteOAuthClientSecret(clientId, first.id), false);
      assert.equal(await store.findOAuthClientSecret(clientId, hashA), undefined);
      await assert.rejects(store.addOAuthClientSecret({ ...first, clientId: 'missing', hash: hashA }), scimStatus(404));

      assert.deepEqual(await store.listOAuthClientSecrets(clientId), [{ ...second, lastUsedAt: T1 }]);
      await store.deleteOAuthClient(clientId);
      assert.deepEqual(await store.listOAuthClientSecrets(clientId), []);
      assert.equal(await store.findOAuthClientSecret(clientId, hashB), undefined);
    });

    it("deleting the tenant deletes its clients; a client shows its tenant's disabled state", async () => {
      const store = storeOf();
      const tenant = await store.createTenant({ id: randomUUID(), name: `clients-${randomUUID()}`, createdAt: T0 });
      const clientId = `client-${randomUUID()}`;
      await store.createOAuthClient({ ...settings(), id: clientId, tenantId: tenant.id }, T0);
      await store.setTenantDisabled(tenant.id, T1);
      assert.equal((await store.findOAuthClient(clientId))?.tenantDisabledAt, T1);
      await store.deleteTenant(tenant.id);
      assert.equal(await store.findOAuthClient(clientId), undefined);
    });

    it('keeps the signing keys, oldest first, until deleted', async () => {
      const store = storeOf();
      const before = (await store.listOAuthSigningKeys()).length;
      const a = { kid: `k-${randomUUID()}`, privateJwk: '{"kty":"EC"}', createdAt: '2000-01-01T00:00:00.000Z' };
      const b = { kid: `k-${randomUUID()}`, privateJwk: '{"kty":"EC"}', createdAt: '2000-01-02T00:00:00.000Z' };
      await store.addOAuthSigningKey(b);
      await store.addOAuthSigningKey(a);
      const keys = await store.listOAuthSigningKeys();
      assert.equal(keys.length, before + 2);
      assert.deepEqual(keys.slice(0, 2), [a, b]);
      await store.deleteOAuthSigningKey(a.kid);
      await store.deleteOAuthSigningKey(b.kid);
      assert.equal((await store.listOAuthSigningKeys()).length, before);
    });
  });
}
