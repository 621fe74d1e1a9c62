import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createTenantService, type TenantService } from './tenants.ts';

const unauthorized = (error: unknown) => error instanceof ScimError && error.status === 401;

describe('RFC 6750 bearer authentication, remembered per keep-alive connection', () => {
  let store: Store;
  let tenants: TenantService;
  let now = Date.parse('2026-01-01T00:00:00Z');
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    tenants = createTenantService(store, () => new Date(now));
    await tenants.createTenant('acme');
  });
  after(() => store.close());

  it('a connection that re-sends its header gets the same tenant', async () => {
    const { token } = await tenants.mintToken('acme');
    const connection = {};
    const first = await tenants.authenticate(`Bearer ${token}`, connection);
    assert.equal(first.tenantName, 'acme');
    assert.deepEqual(await tenants.authenticate(`Bearer ${token}`, connection), first);
  });

  it('another header on an authenticated connection is checked on its own', async () => {
    const { token } = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${token}`, connection);
    await assert.rejects(tenants.authenticate(`Bearer ${token}x`, connection), unauthorized);
    await assert.rejects(tenants.authenticate(undefined, connection), unauthorized);
  });

  it('a revocation in this process applies to the very next request on the connection', async () => {
    const minted = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    await tenants.revokeToken(minted.id);
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });

  it('a revocation by another process (the CLI) applies within a second on the connection too', async () => {
    const minted = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    await store.revokeToken(minted.id, new Date(now).toISOString());
    now += 1001;
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });

  it('a token that expires is refused on its connection from its expiry on', async () => {
    const minted = await tenants.mintToken('acme', { expires: '1m' });
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    now += 60_000;
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });
});
