import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createTenantRegistries } from './schema-registries.ts';
import { createSchemaService } from './schemas.ts';

const HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User';

/** Counts the schema queries a store answers (the store itself is real). */
function counting(store: Store) {
  const calls = { version: 0, load: 0 };
  const wrapped = new Proxy(store, {
    get(target, key) {
      if (key === 'extensionsVersion') calls.version++;
      if (key === 'loadExtensions') calls.load++;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, calls };
}

describe('per-tenant schema registries (docs/custom-attributes.md, "How changes spread")', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-registries-'));
  const url = `sqlite:${join(dir, 'scimd.db')}`;
  const base = createCoreRegistry();
  let instanceA: Store;
  let instanceB: Store;
  let tenantId: string;
  before(async () => {
    instanceA = await openStore(url);
    await instanceA.migrate();
    instanceB = await openStore(url);
    tenantId = (await instanceA.createTenant({ id: 'tenant-1', name: 'acme', createdAt: new Date().toISOString() })).id;
    await instanceA.createTenant({ id: 'tenant-2', name: 'plain', createdAt: new Date().toISOString() });
  });
  after(async () => {
    await instanceA.close();
    await instanceB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a tenant without extensions shares the core registry and costs one version read per interval, not per request', async () => {
    let now = 0;
    const { store, calls } = counting(instanceA);
    const registries = createTenantRegistries(store, base, { checkMs: 1000, now: () => now });
    const seen = await Promise.all(Array.from({ length: 50 }, () => registries.forTenant('tenant-2')));
    assert.ok(seen.every((r) => r === base));
    for (let i = 0; i < 50; i++) await registries.forTenant('tenant-2');
    assert.deepEqual(calls, { version: 1, load: 0 }, 'concurrent first requests share one refresh');
    now = 1500;
    await registries.forTenant('tenant-2');
    await registries.forTenant('tenant-2');
    assert.deepEqual(calls, { version: 2, load: 0 });
  });

  it("another instance's change is seen once the check interval has passed; this instance's at once", async () => {
    let now = 0;
    const { store, calls } = counting(instanceA);
    const registriesA = createTenantRegistries(store, base, { checkMs: 1000, now: () => now });
    assert.equal((await registriesA.forTenant(tenantId)).schema(HR), undefined);

    // Instance B (its own connection, its own cache) adds an attribute.
    const schemasB = createSchemaService({ store: instanceB, base });
    await schemasB.addAttribute('acme', { schemaId: HR, attribute: { name: 'level', type: 'integer' } });
    now = 999;
    assert.equal((await registriesA.forTenant(tenantId)).schema(HR), undefined, 'still within the interval');
    now = 1000;
    const fresh = await registriesA.forTenant(tenantId);
    assert.equal(fresh.resolve('User', { uri: HR, name: 'level' })?.leaf.type, 'integer');
    assert.equal(calls.load, 1);
    now = 2500;
    assert.equal(await registriesA.forTenant(tenantId), fresh, 'unchanged version: the cached registry is kept');
    assert.equal(calls.load, 1);

    // A change made through this instance's service invalidates its cache at once.
    const schemasA = createSchemaService({ store, base, onChange: (id) => registriesA.invalidate(id) });
    await schemasA.addAttribute('acme', { schemaId: HR, attribute: { name: 'room', type: 'string' } });
    assert.ok((await registriesA.forTenant(tenantId)).resolve('User', { uri: HR, name: 'room' }));
    // Other tenants never see it.
    assert.equal((await registriesA.forTenant('tenant-2')).schema(HR), undefined);
  });

  it('the types a tenant enabled are in its registry, in the catalogue order; another tenant has none of them', async () => {
    const registries = createTenantRegistries(instanceA, base, { checkMs: 1000, now: () => 0 });
    await instanceA.createTenant({ id: 'tenant-3', name: 'typed', createdAt: new Date().toISOString() });
    await instanceA.setResourceTypes('tenant-3', ['Device', 'Role'], true);
    const typed = await registries.forTenant('tenant-3');
    assert.equal(typed.resourceType('Role')?.endpoint, '/Roles');
    assert.equal(typed.resourceType('Device')?.endpoint, '/Devices');
    assert.equal(typed.resourceType('Agent'), undefined);
    assert.equal((await registries.forTenant('tenant-2')).resourceType('Role'), undefined);
  });

  it('checks again after one second (SCHEMA_CHECK_MS) when no interval is given', async () => {
    let now = 0;
    const { store, calls } = counting(instanceA);
    const registries = createTenantRegistries(store, base, { now: () => now });
    await registries.forTenant('tenant-2');
    now = 999;
    await registries.forTenant('tenant-2');
    assert.equal(calls.version, 1);
    now = 1000;
    await registries.forTenant('tenant-2');
    assert.equal(calls.version, 2);
  });

  it('a change made while a refresh is reading is not hidden by what that refresh read', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let held = true;
    const slow = new Proxy(instanceA, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'function') return value;
        const bound = (value as (...a: unknown[]) => Promise<unknown>).bind(target);
        // The first version read waits until the change below is made (and invalidated).
        if (key === 'extensionsVersion')
          return async (...args: unknown[]) => {
            const version = await bound(...args);
            if (held) await gate;
            return version;
          };
        return bound;
      },
    });
    const registries = createTenantRegistries(slow, base, { checkMs: 60_000, now: () => 0 });
    await instanceA.createTenant({ id: 'tenant-4', name: 'racing', createdAt: new Date().toISOString() });
    const stale = registries.forTenant('tenant-4');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await instanceA.setResourceTypes('tenant-4', ['Role'], true);
    registries.invalidate('tenant-4');
    held = false;
    const fresh = await registries.forTenant('tenant-4');
    assert.equal(fresh.resourceType('Role')?.name, 'Role');
    open();
    assert.equal((await stale).resourceType('Role'), undefined, 'the refresh that started before read the old version');
    assert.equal((await registries.forTenant('tenant-4')).resourceType('Role')?.name, 'Role', 'and did not cache it');
  });
});
