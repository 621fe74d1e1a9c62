import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { parseAttribute, parseSchema, resourceTypeOfUrn, schemaNameOfUrn, tenantRegistry } from './custom.ts';
import { createCoreRegistry } from './registry.ts';
import { ROLE_TYPE } from './types/roles-entitlements.ts';

const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';

const refused = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ScimError);
  assert.equal(error.scimType, 'invalidValue');
  assert.match(error.detail, pattern);
  return true;
};

describe('rfc7643 §7 tenant extension definitions', () => {
  it('rfc7643 §2.2 omitted characteristics take their defaults; values are matched case-insensitively', () => {
    assert.deepEqual(parseAttribute({ name: 'level', type: 'Integer', mutability: 'IMMUTABLE' }), {
      name: 'level',
      type: 'integer',
      multiValued: false,
      description: '',
      required: false,
      caseExact: false,
      mutability: 'immutable',
      returned: 'default',
      uniqueness: 'none',
    });
    assert.deepEqual(parseAttribute({ name: 'site', type: 'reference' }).referenceTypes, ['external']);
  });

  it('rfc7643 §2.1 names, §2.3.8 no complex sub-attributes, and what uniqueness applies to', () => {
    assert.throws(() => parseAttribute({ name: '$ref' }), refused(/name must start with a letter/));
    assert.throws(() => parseAttribute({ name: 'a.b' }), refused(/name must start with a letter/));
    assert.throws(() => parseAttribute({ name: 'constructor' }), refused(/name/));
    assert.throws(() => parseAttribute({ name: 'c', type: 'complex' }), refused(/needs 1 to 20 subAttributes/));
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [{ name: 'd', type: 'complex', subAttributes: [{ name: 'e' }] }] }),
      refused(/cannot be complex/),
    );
    assert.throws(() => parseAttribute({ name: 'c', type: 'complex', subAttributes: [{ name: 'x' }, { name: 'X' }] }), refused(/twice/));
    assert.throws(() => parseAttribute({ name: 's', subAttributes: [{ name: 'x' }] }), refused(/only a complex attribute/));
    assert.throws(() => parseAttribute({ name: 'n', type: 'integer', canonicalValues: ['1'] }), refused(/canonicalValues/));
    assert.equal(parseAttribute({ name: 'n', type: 'integer', uniqueness: 'server' }).uniqueness, 'server');
  });

  it('a whole schema: URN id, names unique case-insensitively, name from the URN when absent', () => {
    const schema = parseSchema({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: HR,
      attributes: [{ name: 'a' }],
      meta: {},
    });
    assert.equal(schema.name, 'hr');
    assert.throws(() => parseSchema({ id: HR, attributes: [{ name: 'a' }, { name: 'A' }] }), refused(/twice/));
    assert.throws(() => parseSchema({ id: 'urn:x:"quoted"', attributes: [] }), refused(/must be a URN/));
    assert.throws(() => parseSchema({ id: HR }), refused(/attributes must be a list/));
    assert.equal(resourceTypeOfUrn(HR), 'User');
    assert.equal(resourceTypeOfUrn('urn:example:team:2.0:group'), 'Group');
    assert.equal(resourceTypeOfUrn('urn:example:team'), undefined);
    assert.equal(resourceTypeOfUrn('urn:example:acme:2.0:Device'), 'Device', 'a type of the generic store');
    assert.equal(resourceTypeOfUrn('urn:example:acme:2.0:GroupMember'), undefined, 'GroupMember takes no extension');
    assert.equal(schemaNameOfUrn('urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User'), 'CustomExtensionName');
    // The version is a segment of dot-separated numbers, whole: not a name that ends or starts with digits.
    assert.equal(schemaNameOfUrn('urn:example:params:scim:schemas:extension:acme2:2.0:User'), 'acme2');
    assert.equal(schemaNameOfUrn('urn:example:params:scim:schemas:extension:3com:2.0:User'), '3com');
    assert.equal(schemaNameOfUrn('urn:example:params:scim:schemas:extension:acme:10.12:User'), 'acme');
  });

  it('a tenant registry adds the extension to its resource type and leaves the base registry alone', () => {
    const base = createCoreRegistry();
    const registry = tenantRegistry(base, [
      { resourceType: 'User', required: true, schema: parseSchema({ id: HR, attributes: [{ name: 'level', type: 'integer' }] }) },
    ]);
    assert.deepEqual(registry.resourceType('User')?.schemaExtensions.at(-1), { schema: HR, required: true });
    assert.deepEqual(registry.resourceType('Group')?.schemaExtensions, [], 'only the type it extends lists it');
    assert.equal(registry.resolve('User', { uri: HR, name: 'LEVEL' })?.jsonPath.join('/'), `${HR}/level`);
    assert.equal(base.schema(HR), undefined);
    assert.equal(tenantRegistry(base, []), base, 'no extensions: the shared base registry');
  });
  it("a tenant's enabled types join its registry with their schemas, and the extensions they add to other types", () => {
    const base = createCoreRegistry();
    const extra = { id: 'urn:example:params:scim:schemas:extension:meta:2.0:Group', name: 'meta', description: '', attributes: [] };
    const registry = tenantRegistry(base, [], [{ ...ROLE_TYPE, extends: [{ resourceType: 'Group', schema: extra }] }]);
    assert.deepEqual(
      registry.resourceTypes().map((rt) => rt.name),
      ['User', 'Group', 'Role'],
    );
    assert.equal(registry.coreSchema('Role').id, 'urn:ietf:params:scim:schemas:core:2.0:Role');
    assert.deepEqual(registry.resourceType('Group')?.schemaExtensions, [{ schema: extra.id, required: false }]);
    assert.deepEqual(registry.resourceType('Role')?.schemaExtensions, [], 'only the type it extends lists it');
    assert.equal(registry.schema(extra.id)?.name, 'meta');
    assert.equal(base.resourceType('Role'), undefined, 'the base registry is left alone');
  });
  it("an extension of an optional type is in the tenant's registry while the type is enabled, and nowhere while it is not", () => {
    const base = createCoreRegistry();
    const urn = 'urn:example:params:scim:schemas:extension:acme:2.0:Role';
    const extension = { resourceType: 'Role', required: false, schema: parseSchema({ id: urn, attributes: [{ name: 'costCode' }] }) };
    const enabled = tenantRegistry(base, [extension], [ROLE_TYPE]);
    assert.deepEqual(enabled.resourceType('Role')?.schemaExtensions, [{ schema: urn, required: false }]);
    assert.equal(enabled.resolve('Role', { name: 'costCode' })?.jsonPath.join('/'), `${urn}/costCode`);
    assert.equal(tenantRegistry(base, [extension]).schema(urn), undefined);
  });
});
