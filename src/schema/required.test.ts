import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { type AttributeDefinition, attr, type SchemaDefinition } from './attribute.ts';
import { checkRequired } from './required.ts';

const CORE: SchemaDefinition = {
  id: 'urn:example:core',
  name: 'Core',
  description: '',
  attributes: [
    attr('name', 'string', { required: true }),
    attr('serial', 'string', { required: true, mutability: 'readOnly' }),
    attr('members', 'complex', { required: true, multiValued: true }),
    attr('password', 'string', { required: true, mutability: 'writeOnly' }),
  ],
};
const EXT: SchemaDefinition = {
  id: 'urn:example:ext',
  name: 'Ext',
  description: '',
  attributes: [
    attr('level', 'integer', { required: true }),
    attr('computed', 'string', { required: true, mutability: 'readOnly' }),
    attr('note', 'string'),
  ],
};
const routeOf = (def: AttributeDefinition) => (def.name === 'members' || def.name === 'password' ? def.name : 'doc');
const present: Parameters<typeof checkRequired>[5] = { members: [{ value: 'm-1' }], password: 's3cret', routeOf };

function missing(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidValue');
    assert.equal(error.detail, detail);
    return true;
  };
}

/** RFC 7643 §2.2 "required" and §6 schemaExtensions "required"; "" counts as missing; readOnly ones are the server's. */
describe('RFC 7643 §2.2, §6 required attributes and extensions', () => {
  const check = (doc: Record<string, unknown>, outside = present, used: string[] = [], required = false) =>
    checkRequired(CORE, [EXT], [{ schema: 'URN:EXAMPLE:EXT', required }], doc, new Set(used), outside);

  it('all present: no error; a readOnly required attribute is never asked of the client', () => {
    check({ name: 'n' });
    check({ name: 'n', 'urn:example:ext': { level: 1 } }, present, ['urn:example:ext'], true);
  });

  it('one missing or empty: "required attribute … is missing"', () => {
    assert.throws(() => check({}), missing('required attribute "name" is missing'));
    assert.throws(() => check({ name: '' }), missing('required attribute "name" is missing'));
  });

  it('members and password are looked for where the validator put them, outside the document', () => {
    assert.throws(() => check({ name: 'n' }, { ...present, members: [] }), missing('required attribute "members" is missing'));
    assert.throws(() => check({ name: 'n' }, { ...present, members: undefined }), missing('required attribute "members" is missing'));
    assert.throws(() => check({ name: 'n' }, { ...present, password: '' }), missing('required attribute "password" is missing'));
    assert.throws(() => check({ name: 'n' }, { ...present, password: undefined }), missing('required attribute "password" is missing'));
    check({ name: 'n', members: [], password: '' }, present);
  });

  it('several missing: each named, in order, in one error', () => {
    assert.throws(
      () => check({}, { members: [], password: undefined, routeOf }),
      missing('required attributes "name", "members", "password" are missing'),
    );
  });

  it('a required extension (its URN in any case) must be used; an optional one unused is not checked', () => {
    assert.throws(() => check({ name: 'n' }, present, [], true), missing('required attribute "urn:example:ext" is missing'));
    check({ name: 'n' }, present, [], false);
  });

  it("a used extension's required attributes are checked, the readOnly ones not; a non-object counts as empty", () => {
    assert.throws(
      () => check({ name: 'n', 'urn:example:ext': { note: 'x' } }, present, ['urn:example:ext']),
      missing('required attribute "urn:example:ext:level" is missing'),
    );
    assert.throws(
      () => check({ name: 'n', 'urn:example:ext': 'text' }, present, ['urn:example:ext']),
      missing('required attribute "urn:example:ext:level" is missing'),
    );
    check({ name: 'n', 'urn:example:ext': { level: 0 } }, present, ['urn:example:ext']);
  });
});
