import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchema, tenantRegistry } from '../schema/custom.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { keysOf, uniqueAttributesOf, uniqueAttrName, uniqueKey, uniqueValuesOf } from './unique-values.ts';

/** docs/custom-attributes.md: `uniqueness: "server"` on a top-level simple attribute of a tenant extension. */
const HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User';
const schema = parseSchema({
  id: HR,
  attributes: [
    { name: 'badge', type: 'string', uniqueness: 'server' },
    { name: 'code', type: 'string', uniqueness: 'server', caseExact: true },
    { name: 'desks', type: 'integer', uniqueness: 'server', multiValued: true },
    { name: 'note', type: 'string' },
  ],
});
const [badge, code, desks] = schema.attributes;
const registry = tenantRegistry(createCoreRegistry(), [{ resourceType: 'User', required: false, schema }]);

describe('RFC 7643 §2.2 uniqueness "server" of tenant extension attributes, as keys of a unique index', () => {
  it('the unique attributes of a schema, each named by its URN and name', () => {
    assert.deepEqual(
      uniqueAttributesOf(schema).map((u) => [u.attr, u.schemaId, u.definition.name]),
      [
        [`${HR}:badge`, HR, 'badge'],
        [`${HR}:code`, HR, 'code'],
        [`${HR}:desks`, HR, 'desks'],
      ],
    );
    assert.equal(uniqueAttrName(HR, 'badge'), `${HR}:badge`);
  });

  it('a value compares as its attribute does: in any case unless caseExact; long values still one key each', () => {
    assert.equal(uniqueKey(badge!, 'B-17'), uniqueKey(badge!, 'b-17'));
    assert.notEqual(uniqueKey(code!, 'B-17'), uniqueKey(code!, 'b-17'));
    assert.equal(uniqueKey(code!, 'B-17'), 'B-17');
    assert.notEqual(uniqueKey(desks!, 1), uniqueKey(desks!, 2));
    const long = 'x'.repeat(256);
    assert.equal(uniqueKey(code!, long), long, 'up to 256 characters the value itself');
    const longer = uniqueKey(code!, `${long}y`);
    assert.ok(longer.length <= 256 && longer !== `${long}y`, 'longer: a key that fits an index entry');
    // Text, as a digest in hex or base64 is: raw digest bytes read as UTF-8 would lose bits, and two values could share a key.
    assert.match(longer, /^[\x21-\x7e]+$/);
    assert.equal(uniqueKey(code!, `${long}y`), longer);
    assert.notEqual(uniqueKey(code!, `${long}z`), longer);
    assert.equal(uniqueKey(badge!, `${long}Y`), uniqueKey(badge!, `${long}y`), 'folded before it is shortened');
  });

  it('each element of a multi-valued attribute is a key, each once; null elements none', () => {
    assert.deepEqual(keysOf(desks!, [3, 1, 3, null, undefined]), [uniqueKey(desks!, 3), uniqueKey(desks!, 1)]);
    assert.deepEqual(keysOf(badge!, 'A'), [uniqueKey(badge!, 'A')]);
    assert.deepEqual(keysOf(badge!, null), []);
  });

  it("the keys of a write: one per value of the resource's unique attributes; none for a type without any", () => {
    assert.deepEqual(uniqueValuesOf(registry, 'User', { [HR]: { badge: 'B-17', code: 'Q', desks: [4, 5], note: 'n' } }), [
      { attr: `${HR}:badge`, key: uniqueKey(badge!, 'B-17') },
      { attr: `${HR}:code`, key: 'Q' },
      { attr: `${HR}:desks`, key: uniqueKey(desks!, 4) },
      { attr: `${HR}:desks`, key: uniqueKey(desks!, 5) },
    ]);
    assert.deepEqual(
      uniqueValuesOf(registry, 'User', { userName: 'bob' }),
      [],
      'no extension: no keys, but the type has unique attributes',
    );
    assert.deepEqual(uniqueValuesOf(registry, 'User', { [HR]: { note: 'n' } }), []);
    assert.equal(uniqueValuesOf(registry, 'Group', { displayName: 'g' }), undefined);
    assert.equal(uniqueValuesOf(createCoreRegistry(), 'User', { userName: 'bob' }), undefined);
    assert.equal(uniqueValuesOf(registry, 'Role', { displayName: 'r' }), undefined, 'a type the tenant has not enabled');
    assert.deepEqual(
      uniqueValuesOf(registry, 'User', { [HR]: { code: 'R' } }),
      [{ attr: `${HR}:code`, key: 'R' }],
      'the same registry again',
    );
  });
});
