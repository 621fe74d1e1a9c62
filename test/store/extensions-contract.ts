import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ScimError } from '../../src/errors/scim-error.ts';
import type { TenantExtension } from '../../src/schema/custom.ts';
import type { UniqueValue } from '../../src/store/ports/resources.ts';
import type { ExtensionChange } from '../../src/store/ports/schemas.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { after, before, describe, it } from '../../src/store/testing/skippable.ts';
import { VersionConflictError } from '../../src/store/version-conflict.ts';
import type { ContractOptions } from './contract.ts';

const T0 = '2024-01-01T00:00:00.000Z';
const HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User';
const BADGE = `${HR}:badge`;

const extension = (attributes: string[]): TenantExtension => ({
  resourceType: 'User',
  required: false,
  schema: {
    id: HR,
    name: 'hr',
    description: '',
    attributes: attributes.map((name) => ({
      name,
      type: 'string',
      multiValued: false,
      description: '',
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    })),
  },
});

const change = (expectedVersion: number, fields: Partial<ExtensionChange> = {}): ExtensionChange => ({
  expectedVersion,
  resourceType: 'User',
  purge: [],
  uniqueDrop: [],
  uniqueRebuild: [],
  ...fields,
});

function isUniqueness(detail: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.equal(error.status, 409);
    assert.equal(error.scimType, 'uniqueness');
    assert.match(error.detail, detail);
    return true;
  };
}

/**
 * The SchemaStore half of the Store port (tenant extension schemas) and the unique keys of
 * `uniqueness: server` extension attributes, for every store. Run beside storeContract.
 */
export function extensionsContract(name: string, makeStore: () => Promise<Store>, options: ContractOptions = {}): void {
  describe(`store contract: ${name}: tenant extensions and unique values`, () => {
    let store: Store;
    let sibling: Store;
    before(async () => {
      store = await makeStore();
      await store.migrate();
      sibling = options.sibling ? await options.sibling(store) : store;
    });
    after(async () => {
      if (sibling !== store) await sibling.close();
      await store.close();
    });

    const newTenant = async () => (await store.createTenant({ id: randomUUID(), name: `x-${randomUUID()}`, createdAt: T0 })).id;
    const create = (s: Store, tenantId: string, userName: string, doc: Record<string, unknown>, uniqueValues?: UniqueValue[]) =>
      s.create(tenantId, {
        resourceType: 'User',
        id: randomUUID(),
        doc: { userName, ...doc },
        now: T0,
        ...(uniqueValues ? { uniqueValues } : {}),
      });

    it('unique values: a key another resource holds is 409 uniqueness on create and update; a freed key can be taken', async () => {
      const tenantId = await newTenant();
      const a = await create(store, tenantId, 'a', {}, [{ attr: BADGE, key: 'k1' }]);
      await assert.rejects(create(store, tenantId, 'b', {}, [{ attr: BADGE, key: 'k1' }]), isUniqueness(/badge/));
      const b = await create(store, tenantId, 'b', {}, [{ attr: BADGE, key: 'k2' }]);
      const moveTo = (id: string, key: string) =>
        store.update(tenantId, {
          resourceType: 'User',
          id,
          change: () => ({ doc: { userName: id }, uniqueValues: [{ attr: BADGE, key }], now: T0 }),
        });
      await assert.rejects(moveTo(b.resource.id, 'k1'), isUniqueness(/badge/));
      assert.equal((await store.get(tenantId, 'User', b.resource.id, {}))!.version, 1, 'the refused update wrote nothing');
      await moveTo(a.resource.id, 'k3');
      await moveTo(b.resource.id, 'k1');
      // The same key under another attribute, another type or another tenant is another key.
      await create(store, tenantId, 'c', {}, [{ attr: `${HR}:other`, key: 'k1' }]);
      await create(store, await newTenant(), 'a', {}, [{ attr: BADGE, key: 'k1' }]);
      // Deleting the holder frees the key.
      await store.delete(tenantId, 'User', b.resource.id);
      await create(store, tenantId, 'd', {}, [{ attr: BADGE, key: 'k1' }]);
    });

    it('unique values: two writers on two handles racing for one key: exactly one wins, every time', async () => {
      const tenantId = await newTenant();
      for (let round = 0; round < 8; round++) {
        const key = `race-${round}`;
        const outcomes = await Promise.allSettled([
          create(store, tenantId, `r${round}-a`, {}, [{ attr: BADGE, key }]),
          create(sibling, tenantId, `r${round}-b`, {}, [{ attr: BADGE, key }]),
        ]);
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1, `round ${round}`);
        const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
        isUniqueness(/badge/)(lost.reason);
      }
    });

    it('extensions: saved with a version that moves on every change; a stale expectedVersion is refused', async () => {
      const tenantId = await newTenant();
      assert.equal(await store.extensionsVersion(tenantId), 0);
      assert.deepEqual(await store.loadExtensions(tenantId), { version: 0, extensions: [] });
      assert.equal(await store.saveExtensions(tenantId, change(0, { put: extension(['badge']) })), 1);
      assert.equal(await sibling.extensionsVersion(tenantId), 1, 'another handle sees the new version');
      assert.deepEqual(await sibling.loadExtensions(tenantId), { version: 1, extensions: [extension(['badge'])] });
      await assert.rejects(store.saveExtensions(tenantId, change(0, { put: extension([]) })), VersionConflictError);
      assert.equal(await store.saveExtensions(tenantId, change(1, { put: extension(['badge', 'desk']) })), 2);
      assert.deepEqual((await store.loadExtensions(tenantId)).extensions, [extension(['badge', 'desk'])]);
      assert.equal(await store.saveExtensions(tenantId, change(2, { remove: HR.toUpperCase() })), 3);
      assert.deepEqual(await store.loadExtensions(tenantId), { version: 3, extensions: [] });
      assert.equal(await store.extensionsVersion(await newTenant()), 0, 'versions are per tenant');
    });

    it('extensions: purge removes a path from the documents of the type; valuesAt reads what is there', async () => {
      const tenantId = await newTenant();
      const u1 = await create(store, tenantId, 'p1', { [HR]: { badge: 'B1', desk: 'D1' } });
      await create(store, tenantId, 'p2', { [HR]: { desk: 'D2' } });
      assert.deepEqual(
        (await store.valuesAt(tenantId, 'User', [HR, 'badge'])).map((v) => v.value),
        ['B1'],
      );
      assert.deepEqual(
        (await store.valuesAt(tenantId, 'User', [HR, 'desk'])).map((v) => v.value),
        ['D1', 'D2'],
      );
      await store.saveExtensions(tenantId, change(0, { put: extension(['desk']), purge: [[HR, 'badge']] }));
      const read = await store.get(tenantId, 'User', u1.resource.id, {});
      assert.deepEqual(read!.doc, { userName: 'p1', [HR]: { desk: 'D1' } });
      assert.equal(read!.version, 1, 'a purge is not a resource change');
      await store.saveExtensions(tenantId, change(1, { remove: HR, purge: [[HR]] }));
      assert.deepEqual((await store.get(tenantId, 'User', u1.resource.id, {}))!.doc, { userName: 'p1' });
    });

    it('extensions: a unique rebuild over duplicates is 409 and changes nothing; a good one holds the keys', async () => {
      const tenantId = await newTenant();
      const a = await create(store, tenantId, 'a', {});
      const b = await create(store, tenantId, 'b', {});
      const rebuild = (keyB: string) => [
        {
          attr: BADGE,
          values: [
            { id: a.resource.id, key: 'same' },
            { id: b.resource.id, key: keyB },
          ],
        },
      ];
      await assert.rejects(
        store.saveExtensions(tenantId, change(0, { put: extension(['badge']), uniqueRebuild: rebuild('same') })),
        isUniqueness(/share a value/),
      );
      assert.deepEqual(await store.loadExtensions(tenantId), { version: 0, extensions: [] });
      await store.saveExtensions(tenantId, change(0, { put: extension(['badge']), uniqueRebuild: rebuild('other') }));
      await assert.rejects(create(store, tenantId, 'c', {}, [{ attr: BADGE, key: 'same' }]), isUniqueness(/badge/));
      await store.saveExtensions(tenantId, change(1, { put: extension(['badge']), uniqueDrop: [BADGE] }));
      await create(store, tenantId, 'c', {}, [{ attr: BADGE, key: 'same' }]);
    });

    it('optional resource types: enabled per tenant, each change moves the schema version; a repeated one changes nothing', async () => {
      const tenantId = await newTenant();
      const other = await newTenant();
      assert.deepEqual(await store.enabledResourceTypes(tenantId), []);
      assert.deepEqual(await store.setResourceTypes(tenantId, ['Role', 'Device'], true), ['Device', 'Role']);
      assert.equal(await sibling.extensionsVersion(tenantId), 1, 'another handle sees the new version');
      assert.deepEqual(await sibling.enabledResourceTypes(tenantId), ['Device', 'Role']);
      assert.deepEqual(await store.enabledResourceTypes(other), [], 'another tenant enabled nothing');
      assert.deepEqual(await store.setResourceTypes(tenantId, ['Role'], true), ['Device', 'Role']);
      assert.equal(await store.extensionsVersion(tenantId), 1, 'enabling an enabled type is no change');
      assert.deepEqual(await store.setResourceTypes(tenantId, ['Device', 'Agent'], false), ['Role']);
      assert.equal(await store.extensionsVersion(tenantId), 2);
      // Extension changes and type changes share the version: a change computed before either is stale.
      await assert.rejects(store.saveExtensions(tenantId, change(1, { put: extension(['badge']) })), VersionConflictError);
      assert.equal(await store.saveExtensions(tenantId, change(2, { put: extension(['badge']) })), 3);
    });
  });
}
