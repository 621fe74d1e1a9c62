import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '../registry.ts';
import { endpointOf, GROUP_TYPE, OPTIONAL_TYPES, optionalTypeNamed, RESOURCE_TYPES, specAt, specOf, USER_TYPE } from './catalogue.ts';

/** docs/resource-types.md: each entry of the catalogue is whole, so that the generic code can serve it. */
describe('the resource type catalogue', () => {
  it('names the types of issue 18 with the endpoints of the contract command', () => {
    assert.deepEqual(
      RESOURCE_TYPES.map((t) => t.resourceType.endpoint),
      ['/Users', '/Groups', '/Roles', '/Entitlements', '/GroupMembers', '/Agents', '/Devices'],
    );
    assert.deepEqual(
      OPTIONAL_TYPES.map((t) => endpointOf(t.resourceType.name)),
      ['Roles', 'Entitlements', 'GroupMembers', 'Agents', 'Devices'],
    );
  });

  it('finds a type by name or endpoint in any case; only optional ones by optionalTypeNamed', () => {
    assert.equal(specOf('role')?.resourceType.name, 'Role');
    assert.equal(specAt('DEVICES')?.resourceType.name, 'Device');
    assert.equal(optionalTypeNamed('agents')?.resourceType.name, 'Agent');
    assert.equal(optionalTypeNamed('Agent')?.resourceType.name, 'Agent');
    assert.equal(optionalTypeNamed('Users'), undefined);
    assert.equal(specOf('Printer'), undefined);
    assert.equal(optionalTypeNamed('Printer'), undefined);
    assert.equal(endpointOf('device'), 'Devices');
    assert.throws(() => endpointOf('Printer'), /unknown resource type Printer/);
  });

  it('User and Group: built in and always on (RFC 7643 §4.1 with the enterprise extension of §4.3, §4.2), named by their deletion events (docs/events.md)', () => {
    assert.deepEqual(
      USER_TYPE.schemas.map((s) => s.id),
      ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    );
    assert.deepEqual(
      GROUP_TYPE.schemas.map((s) => s.id),
      ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    );
    for (const [spec, noun, indexed, names] of [
      [USER_TYPE, 'user', 'userName', ['userName', 'displayName']],
      [GROUP_TYPE, 'group', 'displayName', ['displayName']],
    ] as const) {
      assert.equal(spec.optional, false);
      assert.equal(spec.storage, 'builtin');
      // Events scim.user.* and scim.group.*; scim.user.deleted carries userName and displayName, scim.group.deleted displayName.
      assert.equal(spec.noun, noun);
      // The attribute a 409 names its holder by (RFC 7643 §4.1.1: userName is unique; a group by its displayName).
      assert.equal(spec.indexed, indexed);
      assert.deepEqual(spec.names, names);
    }
    // docs/resource-types.md: users refer to the Roles and Entitlements by value; groups refer to no optional type.
    assert.deepEqual(USER_TYPE.references, [
      { attribute: 'roles', resourceType: 'Role' },
      { attribute: 'entitlements', resourceType: 'Entitlement' },
    ]);
    assert.equal(GROUP_TYPE.references, undefined);
  });

  it('every entry is consistent: core schema first, its extensions present, names, nouns and endpoints unique', () => {
    const nouns = new Set<string>();
    for (const spec of RESOURCE_TYPES) {
      const rt = spec.resourceType;
      assert.equal(spec.schemas[0]?.id, rt.schema, `${rt.name}: core schema first`);
      for (const ext of rt.schemaExtensions)
        assert.ok(
          spec.schemas.some((s) => s.id === ext.schema),
          `${rt.name}: ${ext.schema}`,
        );
      assert.equal(rt.id, rt.name);
      assert.ok(!nouns.has(spec.noun), `${rt.name}: event noun ${spec.noun} is its own`);
      nouns.add(spec.noun);
      assert.equal(spec.optional, !['User', 'Group'].includes(rt.name));
      for (const name of spec.names)
        assert.ok(
          spec.schemas[0]!.attributes.some((a) => a.name === name),
          `${rt.name}: names ${name}`,
        );
      for (const ref of spec.references ?? []) assert.ok(specOf(ref.resourceType), `${rt.name}.${ref.attribute} refers to a known type`);
      // A registry accepts the entry as it is (every schema it names is there).
      assert.doesNotThrow(() => new SchemaRegistry(spec.schemas, [rt]));
    }
  });

  it("a generic type's indexed attribute is a single-valued, case-insensitive string short enough for a B-tree entry", () => {
    for (const spec of RESOURCE_TYPES.filter((t) => t.storage === 'generic')) {
      const def = spec.schemas[0]!.attributes.find((a) => a.name === spec.indexed);
      assert.ok(def, `${spec.resourceType.name}: indexed attribute ${spec.indexed}`);
      assert.equal(def.type, 'string');
      assert.equal(def.multiValued, false);
      assert.equal(def.caseExact, false, 'its column is folded');
      assert.ok(def.maxLength !== undefined && def.maxLength <= 512, 'bounded (src/schema/lengths.ts)');
    }
  });
});
