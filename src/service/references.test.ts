import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { resourcesByType } from '../store/by-type.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { checkReferences, type ReferenceRule, referenceRules } from './references.ts';
import type { RequestScope } from './resource-view.ts';
import { createResourceService, type ResourceService } from './resources.ts';
import { createTenantRegistries } from './schema-registries.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ROLE = 'urn:ietf:params:scim:schemas:core:2.0:Role';
const ENTITLEMENT = 'urn:ietf:params:scim:schemas:core:2.0:Entitlement';
const NONE = { attributes: undefined, excludedAttributes: undefined };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function refused(detail: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidValue');
    assert.match(error.detail, detail);
    return true;
  };
}

/**
 * docs/resource-types.md, Roles and Entitlements (draft-ietf-scim-roles-entitlements-01): where the
 * tenant enabled /Roles, a write may add to a user only a role value one of its Roles has (compared
 * without case), not one whose Role says `supported: false`, and a limited role to at most
 * `totalAssignmentsPermitted` users; a value the user held before stays. A tenant without /Roles
 * takes any value (RFC 7643 §4.1.2). Entitlements likewise.
 */
describe('references by value to Roles and Entitlements, on a real store', () => {
  let store: Store;
  let service: ResourceService;
  let typed: RequestScope;
  let plain: RequestScope;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    const createdAt = new Date().toISOString();
    typed = lenientScope((await store.createTenant({ id: 't-typed', name: 'typed', createdAt })).id);
    plain = lenientScope((await store.createTenant({ id: 't-plain', name: 'plain', createdAt })).id);
    await store.setResourceTypes(typed.tenantId, ['Role', 'Entitlement'], true);
    service = createResourceService({
      // As src/server.ts: the generic types' resources go to their own table.
      store: resourcesByType(store),
      registries: createTenantRegistries(store, createCoreRegistry(), { checkMs: 0 }),
      clock: () => new Date(),
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (password) => `hash:${password}`,
    });
    const role = (value: string, extra: Record<string, unknown> = {}) =>
      service.create(typed, 'Role', { schemas: [ROLE], value, ...extra }, NONE);
    await role('Global_Lead');
    await role('retired', { supported: false });
    await role('auditor', { limitedAssignmentsPermitted: true, totalAssignmentsPermitted: 1 });
    await role('unlimited', { limitedAssignmentsPermitted: false, totalAssignmentsPermitted: 0 });
    await service.create(typed, 'Entitlement', { schemas: [ENTITLEMENT], value: 'vpn' }, NONE);
  });
  after(() => store.close());

  const user = (scope: RequestScope, userName: string, extra: Record<string, unknown>) =>
    service.create(scope, 'User', { schemas: [USER], userName, ...extra }, NONE);

  it("a role value the tenant's Roles have, in any case, is taken; another is 400 invalidValue naming it", async () => {
    await user(typed, 'lead', { roles: [{ value: 'global_lead' }], entitlements: [{ value: 'VPN' }] });
    await assert.rejects(
      user(typed, 'stranger', { roles: [{ value: 'janitor' }] }),
      refused(/^roles: "janitor" is not the value of a supported Role of this tenant \(GET \/Roles lists them\)$/),
    );
    await assert.rejects(
      user(typed, 'stranger2', { entitlements: [{ value: 'lab' }] }),
      refused(/^entitlements: "lab" is not the value of a supported Entitlement of this tenant \(GET \/Entitlements lists them\)$/),
    );
  });

  it('a role whose Role says supported: false is refused', async () => {
    await assert.rejects(user(typed, 'old', { roles: [{ value: 'retired' }] }), refused(/"retired" is not the value of a supported Role/));
  });

  it('a limited role goes to at most totalAssignmentsPermitted users; an unlimited one to any number', async () => {
    await user(typed, 'first-auditor', { roles: [{ value: 'auditor' }] });
    await assert.rejects(
      user(typed, 'second-auditor', { roles: [{ value: 'Auditor' }] }),
      refused(/^roles: "Auditor" may be held by 1 resources \(its Role's totalAssignmentsPermitted\), and 1 hold it$/),
    );
    await user(typed, 'u1', { roles: [{ value: 'unlimited' }] });
    await user(typed, 'u2', { roles: [{ value: 'unlimited' }] });
  });

  it('a value the user held before stays, even once no Role has it', async () => {
    const holder = await user(typed, 'holder', { roles: [{ value: 'Global_Lead' }] });
    const id = holder.resource['id'] as string;
    const roles = await service.list(typed, ['Role'], {
      filter: 'value eq "global_lead"',
      sortBy: undefined,
      descending: false,
      startIndex: 1,
      count: 1,
      cursor: undefined,
      attributes: ['id'],
      excludedAttributes: undefined,
    });
    const roleId = (roles['Resources'] as { id: string }[])[0]!.id;
    await service.remove(typed, 'Role', roleId, undefined);
    await service.patch(
      typed,
      'User',
      id,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
      undefined,
    );
    const read = await service.get(typed, 'User', id, NONE);
    assert.equal(read.resource['title'], 'Lead');
    assert.deepEqual(read.resource['roles'], [{ value: 'Global_Lead' }]);
    await assert.rejects(
      service.patch(
        typed,
        'User',
        id,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'janitor' }] }] },
        undefined,
      ),
      refused(/"janitor"/),
    );
  });

  it('a tenant without /Roles and /Entitlements takes any value, and its rules read nothing', async () => {
    await user(plain, 'anyone', { roles: [{ value: 'janitor' }], entitlements: [{ value: 'lab' }] });
    let queries = 0;
    const counting = {
      query: async (...args: Parameters<Store['query']>) => {
        queries++;
        return store.query(...args);
      },
    };
    assert.deepEqual(await referenceRules(counting, createCoreRegistry(), plain.tenantId, 'User'), []);
    assert.equal(queries, 0);
  });

  it('checkReferences: values compared folded, elements without a string value ignored, held values skipped before the limit', () => {
    const rules: ReferenceRule[] = [
      {
        attribute: 'roles',
        resourceType: 'Role',
        allowed: new Set(['admin', 'full']),
        limits: new Map([['full', { permitted: 2, used: 2 }]]),
      },
    ];
    checkReferences(rules, { roles: [{ value: 'ADMIN' }, { display: 'no value' }, { value: 7 }, null, 'admin'] });
    checkReferences(rules, { roles: 'not a list' });
    checkReferences(rules, { roles: [{ value: 'Full' }] }, { roles: [{ value: 'full' }] });
    assert.throws(
      () => checkReferences(rules, { roles: [{ value: 'Full' }] }, { roles: 'x' }),
      refused(/may be held by 2 resources .* and 2 hold it/),
    );
    assert.throws(() => checkReferences(rules, { roles: [{ value: 'other' }] }), refused(/"other" is not the value/));
    checkReferences([{ ...rules[0]!, limits: new Map([['full', { permitted: 3, used: 2 }]]) }], { roles: [{ value: 'full' }] });
  });

  it('docs/resource-types.md: the service serves the generic types a tenant enabled; another type, or GroupMembers (code of its own), is 404', async () => {
    assert.deepEqual(await service.servedTypes(typed), ['User', 'Group', 'Role', 'Entitlement']);
    assert.deepEqual(await service.servedTypes(plain), ['User', 'Group']);
    const notServed = (type: string) => (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.detail, `no resource type ${type} at this tenant's endpoints`);
      return true;
    };
    await assert.rejects(service.get(plain, 'Role', 'any', NONE), notServed('Role'));
    await assert.rejects(service.read(plain, 'Entitlement', 'any', NONE), notServed('Entitlement'));
    await assert.rejects(service.create(typed, 'GroupMember', { schemas: [] }, NONE), notServed('GroupMember'));
    await assert.rejects(service.create(typed, 'Device', { schemas: [] }, NONE), notServed('Device'));
    const vpn = await service.list(typed, ['Entitlement'], {
      filter: 'value eq "VPN"',
      sortBy: undefined,
      descending: false,
      startIndex: 1,
      count: 10,
      cursor: undefined,
      attributes: undefined,
      excludedAttributes: undefined,
    });
    const [found] = vpn['Resources'] as { id: string; value: string }[];
    assert.equal(found?.value, 'vpn');
    const read = await service.read(typed, 'Entitlement', found.id, NONE);
    assert.ok('resource' in read);
    assert.equal(read.resource['value'], 'vpn');
  });
});
