import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { GROUP_SCHEMA } from './core/group.ts';
import { memberInputs } from './members.ts';
import { createCoreRegistry } from './registry.ts';

const registry = createCoreRegistry();
const members = GROUP_SCHEMA.attributes.find((a) => a.name === 'members')!;
const read = (raw: unknown) => memberInputs(registry, members, raw, 'members');

function invalid(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidValue');
    assert.equal(error.detail, detail);
    return true;
  };
}

/** RFC 7643 §4.2 Group.members as POST, PUT and PATCH give them (docs/protocol.md, groups). */
describe('RFC 7643 §4.2 group members as a write gives them', () => {
  it('null or absent is no members; one object a list of one; a null item is skipped', () => {
    assert.deepEqual(read(null), []);
    assert.deepEqual(read(undefined), []);
    assert.deepEqual(read({ value: 'u-1' }), [{ value: 'u-1' }]);
    assert.deepEqual(read([null, { value: 'u-1' }, null]), [{ value: 'u-1' }]);
  });

  it('value required; type kept as the client said it (any case of the names, any text), display and $ref dropped; a value given twice kept once', () => {
    assert.deepEqual(
      read([
        { Value: 'u-1', TYPE: 'User', display: 'Babs', $ref: 'https://example.com/Users/u-1' },
        { value: 'g-1', type: 'Untyped' },
        { value: 'u-1', type: 'Group' },
        { value: 'u-2', type: null },
      ]),
      [{ value: 'u-1', type: 'User' }, { value: 'g-1', type: 'Untyped' }, { value: 'u-2' }],
    );
  });

  it('refuses an item that is not an object, a missing or empty value, a type that is not a string', () => {
    assert.throws(() => read(['u-1']), invalid('attribute "members[0]": expected a JSON object'));
    assert.throws(() => read('u-1'), invalid('attribute "members": expected a JSON object'));
    assert.throws(() => read([{ value: 'u-1' }, { display: 'x' }]), invalid('attribute "members[1].value": expected a non-empty string'));
    assert.throws(() => read({ value: '' }), invalid('attribute "members.value": expected a non-empty string'));
    assert.throws(() => read([{ value: 'u-1', type: 7 }]), invalid('attribute "members[0].type": expected a string'));
    assert.throws(() => read([{ value: 'u-1', type: ['User'] }]), invalid('attribute "members[0].type": expected a string'));
  });

  it("the other sub-attributes follow a complex value's rules: $ref a string, no U+0000", () => {
    assert.throws(() => read([{ value: 'u-1', $ref: 5 }]), invalid('attribute "members[0].$ref": expected a reference (string)'));
    assert.throws(() => read([{ value: 'u-\u0000' }]), invalid('attribute "members[0].value": the character U+0000 is not allowed'));
  });
});
