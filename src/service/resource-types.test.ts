import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createResourceTypeService, type ResourceTypeService } from './resource-types.ts';

/** docs/resource-types.md: the optional types, in the order of its table. */
const OPTIONAL = 'Roles, Entitlements, GroupMembers, Agents, Devices';

function refused(status: number, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [status, detail]);
    return true;
  };
}

describe('enabling the optional resource types per tenant (docs/resource-types.md)', () => {
  let store: Store;
  let types: ResourceTypeService;
  const changed: string[] = [];

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: '2026-03-01T10:00:00.000Z' });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: '2026-03-01T10:00:00.000Z' });
    types = createResourceTypeService({ store, onChange: (tenantId) => changed.push(tenantId) });
  });
  after(() => store.close());

  it('every optional type with its endpoint, description, schema, whether it is enabled, and whether the admin API lists it', async () => {
    const listed = await types.list('acme');
    assert.deepEqual(
      listed.map((t) => [t.name, t.endpoint, t.enabled, t.browsable]),
      [
        ['Role', 'Roles', false, true],
        ['Entitlement', 'Entitlements', false, true],
        ['GroupMember', 'GroupMembers', false, false],
        ['Agent', 'Agents', false, true],
        ['Device', 'Devices', false, true],
      ],
    );
    assert.deepEqual(listed[0], {
      name: 'Role',
      endpoint: 'Roles',
      description: 'Role',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:Role',
      enabled: false,
      browsable: true,
    });
    assert.equal(listed[2]!.schema, 'urn:ietf:params:scim:schemas:core:2.0:GroupMember');
  });

  it('named by endpoint or name in any case, each once; the tenant alone changes, and its registry is dropped', async () => {
    const after = await types.enable('acme', ['roles', 'DEVICE', 'Role']);
    assert.deepEqual(
      after.filter((t) => t.enabled).map((t) => t.name),
      ['Role', 'Device'],
    );
    assert.deepEqual(changed, ['t-1']);
    assert.deepEqual(await store.enabledResourceTypes('t-1'), ['Device', 'Role']);
    assert.deepEqual(
      (await types.list('other')).filter((t) => t.enabled),
      [],
    );
    const disabled = await types.disable('acme', ['Devices']);
    assert.deepEqual(
      disabled.filter((t) => t.enabled).map((t) => t.name),
      ['Role'],
    );
    assert.deepEqual(changed, ['t-1', 't-1']);
  });

  it('a name scimd does not know, or a built-in type, is refused whole before anything changes; so is no name or tenant', async () => {
    await assert.rejects(
      types.enable('acme', ['Agents', 'Widgets']),
      refused(400, `no optional resource type "Widgets"; the optional resource types are ${OPTIONAL}`),
    );
    for (const builtIn of ['Users', 'group']) {
      await assert.rejects(
        types.enable('acme', [builtIn]),
        refused(400, `${builtIn} is always enabled; the optional resource types are ${OPTIONAL}`),
      );
    }
    await assert.rejects(types.enable('acme', []), refused(400, `name at least one resource type: ${OPTIONAL}`));
    assert.deepEqual(await store.enabledResourceTypes('t-1'), ['Role'], 'nothing changed');
    await assert.rejects(types.list('nobody'), refused(404, 'no tenant named "nobody"'));
    await assert.rejects(types.disable('nobody', ['Roles']), refused(404, 'no tenant named "nobody"'));
    const quiet = createResourceTypeService({ store });
    assert.equal((await quiet.enable('other', ['Agents'])).find((t) => t.enabled)?.name, 'Agent', 'without onChange');
  });
});
