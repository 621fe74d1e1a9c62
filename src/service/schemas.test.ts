import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createResourceService, type ResourceService } from './resources.ts';
import { createTenantRegistries } from './schema-registries.ts';
import { createSchemaService, type SchemaService } from './schemas.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';
const TEAMS = 'urn:example:params:scim:schemas:extension:teams:2.0:Group';
const NONE = { attributes: undefined, excludedAttributes: undefined };

/** A ScimError with this status, scimType and detail. */
function scim(status: number, scimType: string | undefined, detail: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType], [status, scimType]);
    if (typeof detail === 'string') assert.equal(error.detail, detail);
    else assert.match(error.detail, detail);
    return true;
  };
}

/** RFC 7643 §2.2 defaults of a string attribute, as a parsed definition holds them. */
const stringAttribute = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  description: '',
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

describe('tenant extension schemas (docs/custom-attributes.md): the service behind scimd schema and the admin API', () => {
  let store: Store;
  let schemas: SchemaService;
  let resources: ResourceService;
  const changed: string[] = [];
  const scope = lenientScope('t-1');
  const T0 = '2026-03-01T10:00:00.000Z';

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: T0 });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: T0 });
    const base = createCoreRegistry();
    const registries = createTenantRegistries(store, base, { checkMs: 0 });
    schemas = createSchemaService({
      store,
      base,
      onChange: (tenantId) => {
        changed.push(tenantId);
        registries.invalidate(tenantId);
      },
    });
    resources = createResourceService({
      store,
      registries,
      clock: () => new Date(T0),
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
  });
  after(() => store.close());

  const user = (userName: string, hr: Record<string, unknown>) =>
    resources.create(scope, 'User', { schemas: [USER, HR], userName, [HR]: hr }, NONE);

  it('an attribute added to a new schema creates it, named after its URN, for the resource type its URN ends in', async () => {
    changed.length = 0;
    const saved = await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter' } });
    assert.deepEqual(saved, {
      resourceType: 'User',
      required: false,
      schema: { id: HR, name: 'hr', description: '', attributes: [stringAttribute('costCenter')] },
    });
    assert.deepEqual(changed, ['t-1'], "the tenant's cached registry is dropped");
    assert.deepEqual(await schemas.list('acme'), [saved]);
    assert.deepEqual(await schemas.get('acme', HR.toUpperCase()), saved);
    assert.deepEqual(await schemas.list('other'), []);
  });

  it('a redefinition keeps the spelling first given; a new attribute is appended', async () => {
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'COSTCENTER', description: 'where the cost goes' } });
    const saved = await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'badge', type: 'integer' } });
    assert.deepEqual(
      saved.schema.attributes.map((a) => [a.name, a.type, a.description]),
      [
        ['costCenter', 'string', 'where the cost goes'],
        ['badge', 'integer', ''],
      ],
    );
  });

  it('unknown tenants and schemas are 404 naming them', async () => {
    await assert.rejects(schemas.list('nope'), scim(404, undefined, 'no tenant named "nope"'));
    await assert.rejects(schemas.get('acme', TEAMS), scim(404, undefined, `tenant "acme" has no schema ${TEAMS}`));
    await assert.rejects(schemas.removeSchema('acme', TEAMS), scim(404, undefined, `tenant "acme" has no schema ${TEAMS}`));
    await assert.rejects(schemas.removeAttribute('acme', TEAMS, 'x'), scim(404, undefined, `tenant "acme" has no schema ${TEAMS}`));
    await assert.rejects(schemas.removeAttribute('acme', HR, 'nothing'), scim(404, undefined, `schema ${HR} has no attribute "nothing"`));
  });

  it('the resource type: from the URN, or named in any case; a schema of the server or of no resource type is refused', async () => {
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: USER, attribute: { name: 'x' } }),
      scim(400, 'invalidValue', `${USER} is a schema of the server; a tenant extension needs a URN of its own`),
    );
    const plain = 'urn:example:params:scim:schemas:extension:plain';
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: plain, attribute: { name: 'x' } }),
      scim(400, 'invalidValue', `schema ${plain}: say which resource type it extends (User, Group, Role, Entitlement, Agent, Device)`),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: plain, resourceType: 'GroupMember', attribute: { name: 'x' } }),
      scim(400, 'invalidValue', 'resource type must be one of User, Group, Role, Entitlement, Agent, Device, got "GroupMember"'),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: 'urn:ietf:params:scim:schemas:core:2.0:Role', attribute: { name: 'x' } }),
      scim(
        400,
        'invalidValue',
        'urn:ietf:params:scim:schemas:core:2.0:Role is a schema of the server; a tenant extension needs a URN of its own',
      ),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: plain, resourceType: 'device', attribute: { name: 'x', uniqueness: 'server' } }),
      scim(
        400,
        'invalidValue',
        `${plain}:x: uniqueness "server" is kept for extensions of User and Group; a Device extension cannot have it`,
      ),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: HR, resourceType: 'group', attribute: { name: 'x' } }),
      scim(400, 'invalidValue', `schema ${HR} extends User; remove it before using it for Group`),
    );
    const saved = await schemas.addAttribute('other', { schemaId: plain, resourceType: 'group', attribute: { name: 'x' } });
    assert.deepEqual([saved.resourceType, saved.schema.name], ['Group', 'plain']);
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: 'not a urn', attribute: { name: 'x' } }),
      scim(400, 'invalidValue', /a schema id must be a URN/),
    );
  });

  it('a redefinition that stored values do not satisfy unchanged is refused, naming a resource and the reason', async () => {
    const { resource } = await user('ada', { costCenter: '42', badge: 7 });
    const id = (resource as { id: string }).id;
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', type: 'integer' } }),
      scim(
        400,
        'invalidValue',
        `cannot change ${HR}:costCenter this way: existing data does not satisfy the new definition (User ${id}: attribute "${HR}:costCenter": expected an integer); change or clear those values first`,
      ),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', multiValued: true } }),
      scim(
        400,
        'invalidValue',
        `cannot change ${HR}:costCenter this way: existing data does not satisfy the new definition (User ${id}: its stored value "42" would have to be converted); change or clear those values first`,
      ),
    );
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', canonicalValues: ['a', 'b'] } }),
      scim(
        400,
        'invalidValue',
        new RegExp(
          `^cannot change ${HR}:costCenter this way: existing data does not satisfy the new definition \\(User ${id}: .+\\); change or clear those values first$`,
        ),
      ),
    );
    // Unchanged values pass: a string stays a string with another description.
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', description: 'again' } });
  });

  it('making an attribute unique indexes the stored values; two resources sharing one is 409 uniqueness and nothing changes', async () => {
    await user('bob', { badge: 7 });
    await assert.rejects(
      schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'badge', type: 'integer', uniqueness: 'server' } }),
      scim(409, 'uniqueness', /./),
    );
    assert.equal((await schemas.get('acme', HR)).schema.attributes.find((a) => a.name === 'badge')?.uniqueness, 'none');
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter', uniqueness: 'server' } });
    await assert.rejects(user('cy', { costCenter: '42' }), scim(409, 'uniqueness', /./));
    // Dropping uniqueness drops the index: the value may be written again.
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter' } });
    await user('cy', { costCenter: '42' });
  });

  it('removing an attribute deletes its values; one defined again starts empty', async () => {
    const { resource } = await user('dee', { costCenter: 'x1', badge: 9 });
    const id = (resource as { id: string }).id;
    const saved = await schemas.removeAttribute('acme', HR, 'BADGE');
    assert.deepEqual(
      saved.schema.attributes.map((a) => a.name),
      ['costCenter'],
    );
    assert.deepEqual((await resources.get(scope, 'User', id, NONE)).resource[HR], { costCenter: 'x1' });
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'badge', type: 'integer' } });
    assert.deepEqual((await resources.get(scope, 'User', id, NONE)).resource[HR], { costCenter: 'x1' });
  });

  it('an import replaces the whole extension, keeps stored spellings, and sets required (default false)', async () => {
    const imported = await schemas.importSchema('acme', {
      schema: { id: HR, name: 'Human resources', attributes: [{ name: 'COSTCENTER' }, { name: 'floor', type: 'integer' }] },
      required: true,
    });
    assert.deepEqual(imported, {
      resourceType: 'User',
      required: true,
      schema: {
        id: HR,
        name: 'Human resources',
        description: '',
        attributes: [stringAttribute('costCenter'), { ...stringAttribute('floor'), type: 'integer' }],
      },
    });
    // Adding an attribute keeps `required` as it is.
    assert.equal((await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'desk' } })).required, true);
    const again = await schemas.importSchema('acme', { schema: { id: HR.replace(':hr:', ':HR:'), attributes: [] } });
    assert.deepEqual([again.required, again.schema.id, again.schema.attributes], [false, HR, []]);
    await assert.rejects(
      schemas.importSchema('acme', { schema: { id: USER, attributes: [] } }),
      scim(400, 'invalidValue', `${USER} is a schema of the server; a tenant extension needs a URN of its own`),
    );
  });

  it('removing a schema deletes it and its values', async () => {
    await schemas.addAttribute('acme', { schemaId: HR, attribute: { name: 'costCenter' } });
    const { resource } = await user('eve', { costCenter: 'y' });
    await schemas.removeSchema('acme', HR);
    assert.deepEqual(await schemas.list('acme'), []);
    const id = (resource as { id: string }).id;
    assert.equal((await resources.get(scope, 'User', id, NONE)).resource[HR], undefined);
  });

  it('at most 100 attributes per schema and 20 extension schemas per tenant', async () => {
    await store.createTenant({ id: 't-3', name: 'limits', createdAt: T0 });
    const attributes = Array.from({ length: 100 }, (_, i) => ({ name: `a${i}` }));
    await schemas.importSchema('limits', { schema: { id: HR, attributes } });
    await assert.rejects(
      schemas.addAttribute('limits', { schemaId: HR, attribute: { name: 'one_more' } }),
      scim(400, 'invalidValue', `schema ${HR} has the maximum of 100 attributes`),
    );
    // A redefinition at the maximum is not an addition.
    await schemas.addAttribute('limits', { schemaId: HR, attribute: { name: 'a0', description: 'first' } });
    for (let i = 1; i < 20; i++) {
      await schemas.addAttribute('limits', {
        schemaId: `urn:example:params:scim:schemas:extension:x${i}:2.0:User`,
        attribute: { name: 'n' },
      });
    }
    await assert.rejects(
      schemas.addAttribute('limits', { schemaId: 'urn:example:params:scim:schemas:extension:x20:2.0:User', attribute: { name: 'n' } }),
      scim(400, 'invalidValue', 'a tenant has at most 20 extension schemas'),
    );
    // Changing one of the 20 is allowed.
    await schemas.addAttribute('limits', { schemaId: 'urn:example:params:scim:schemas:extension:x1:2.0:User', attribute: { name: 'm' } });
  });
});
