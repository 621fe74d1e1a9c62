import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '../registry.ts';
import { endpointOf, OPTIONAL_TYPES, optionalTypeNamed, RESOURCE_TYPES, specAt, specOf } from './catalogue.ts';

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
