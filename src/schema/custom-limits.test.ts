import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import {
  checkSchemaId,
  EXTENDED_RESOURCE_TYPES,
  LIMITS,
  parseAttribute,
  parseSchema,
  resourceTypeOfUrn,
  schemaNameOfUrn,
} from './custom.ts';

const HR = 'urn:ietf:params:scim:schemas:extension:hr:2.0:User';

function refused(detail: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidValue');
    if (typeof detail === 'string') assert.equal(error.detail, detail);
    else assert.match(error.detail, detail);
    return true;
  };
}

/** docs/custom-attributes.md "What a definition may hold", bound by bound. */
describe('docs/custom-attributes.md: what a tenant extension definition may hold', () => {
  it('the bounds: 20 schemas a tenant, 100 attributes a schema, 20 sub-attributes, 100 canonical values, 256 characters', () => {
    assert.deepEqual(LIMITS, { schemasPerTenant: 20, attributesPerSchema: 100, subAttributes: 20, canonicalValues: 100, textLength: 256 });
  });

  it('types a tenant may extend: User, Group, Role, Entitlement, Agent, Device (not GroupMember)', () => {
    assert.deepEqual(EXTENDED_RESOURCE_TYPES, ['User', 'Group', 'Role', 'Entitlement', 'Agent', 'Device']);
  });

  it('schema id: a URN of at most 256 characters, without " or spaces', () => {
    assert.equal(checkSchemaId(HR), HR);
    assert.equal(checkSchemaId('urn:a:b'), 'urn:a:b');
    const longest = `urn:x:${'a'.repeat(250)}`;
    assert.equal(checkSchemaId(longest), longest);
    const message = (id: unknown) =>
      `a schema id must be a URN such as urn:ietf:params:scim:schemas:extension:acme:2.0:User, got ${JSON.stringify(id)}`;
    for (const id of [
      `${longest}b`,
      'urn:x:a b',
      'urn:x:a"b',
      'urn:x',
      'acme:x:y',
      'urn:-x:y',
      `urn:${'n'.repeat(33)}:y`,
      ' urn:x:y',
      'urn:x:y ',
      42,
      undefined,
    ])
      assert.throws(() => checkSchemaId(id), refused(message(id)), String(id));
    assert.equal(checkSchemaId(`urn:${'n'.repeat(32)}:y`), `urn:${'n'.repeat(32)}:y`);
  });

  it("the resource type from the URN's last segment in any case; the name from the segment before the version", () => {
    assert.equal(resourceTypeOfUrn(HR), 'User');
    assert.equal(resourceTypeOfUrn('urn:acme:2.0:group'), 'Group');
    assert.equal(resourceTypeOfUrn('urn:acme:2.0:Device'), 'Device');
    assert.equal(resourceTypeOfUrn('urn:acme:2.0:GroupMember'), undefined);
    assert.equal(resourceTypeOfUrn('urn:acme:2.0:Users'), undefined);
    assert.equal(schemaNameOfUrn(HR), 'hr');
    assert.equal(schemaNameOfUrn('urn:acme:extension:payroll:1.0.2:User'), 'payroll');
    assert.equal(schemaNameOfUrn('urn:acme:extension:payroll'), 'payroll');
  });

  it('attribute names: a letter, then letters, digits, - and _, at most 64 characters', () => {
    assert.equal(parseAttribute({ name: `a${'b-_9'.repeat(15)}xyz` }).name.length, 64);
    const message = (name: unknown) =>
      `attribute name must start with a letter and hold only letters, digits, "-" and "_" (RFC 7643 §2.1), got ${JSON.stringify(name)}`;
    for (const name of [`a${'b'.repeat(64)}`, '9a', '-a', 'a b', '', 'prototype', '__proto__', 7, undefined])
      assert.throws(() => parseAttribute({ name }), refused(message(name)), String(name));
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [{ name: '1x' }] }),
      refused('sub-attribute of c name must start with a letter and hold only letters, digits, "-" and "_" (RFC 7643 §2.1), got "1x"'),
    );
    assert.throws(() => parseAttribute('level'), refused('attribute must be an object'));
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [null] }),
      refused('sub-attribute of c must be an object'),
    );
  });

  it('characteristics: one of RFC 7643 §2.2 values in any case, booleans as booleans, a string description', () => {
    assert.throws(
      () => parseAttribute({ name: 'a', type: 'text' }),
      refused('a: type must be one of string, boolean, decimal, integer, dateTime, reference, complex, binary, got "text"'),
    );
    assert.throws(
      () => parseAttribute({ name: 'a', mutability: 1 }),
      refused('a: mutability must be one of readOnly, readWrite, immutable, writeOnly, got 1'),
    );
    assert.throws(
      () => parseAttribute({ name: 'a', returned: 'sometimes' }),
      refused('a: returned must be one of always, never, default, request, got "sometimes"'),
    );
    assert.throws(
      () => parseAttribute({ name: 'a', uniqueness: 'all' }),
      refused('a: uniqueness must be one of none, server, global, got "all"'),
    );
    for (const key of ['multiValued', 'required', 'caseExact'])
      assert.throws(() => parseAttribute({ name: 'a', [key]: 'true' }), refused(`a: ${key} must be true or false, got "true"`));
    assert.throws(() => parseAttribute({ name: 'a', description: 5 }), refused('a: description must be a string'));
    assert.deepEqual(
      parseAttribute({
        name: 'a',
        type: 'DATETIME',
        multiValued: true,
        required: true,
        caseExact: true,
        returned: 'Never',
        description: 'd',
      }),
      {
        name: 'a',
        type: 'dateTime',
        multiValued: true,
        description: 'd',
        required: true,
        caseExact: true,
        mutability: 'readWrite',
        returned: 'never',
        uniqueness: 'none',
      },
    );
  });

  it('complex: 1 to 20 simple sub-attributes, names unique in any case; a simple attribute has none (an empty list is none)', () => {
    const subs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}` }));
    assert.equal(parseAttribute({ name: 'c', type: 'complex', subAttributes: subs(20) }).subAttributes?.length, 20);
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: subs(21) }),
      refused('c: a complex attribute needs 1 to 20 subAttributes'),
    );
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [] }),
      refused('c: a complex attribute needs 1 to 20 subAttributes'),
    );
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: { name: 'x' } }),
      refused('c: a complex attribute needs 1 to 20 subAttributes'),
    );
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [{ name: 'x' }, { name: 'X' }] }),
      refused('c defines "X" twice (names are case-insensitive)'),
    );
    assert.equal(parseAttribute({ name: 's', subAttributes: [] }).subAttributes, undefined);
    assert.throws(() => parseAttribute({ name: 's', subAttributes: 'x' }), refused('s: only a complex attribute has subAttributes'));
  });

  it('canonicalValues and referenceTypes: at most 100 non-empty strings of 256 characters, duplicates once, an empty list none', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    assert.equal(parseAttribute({ name: 'a', canonicalValues: many(100) }).canonicalValues?.length, 100);
    assert.deepEqual(parseAttribute({ name: 'a', canonicalValues: ['x', 'y', 'x'] }).canonicalValues, ['x', 'y']);
    assert.equal(Object.hasOwn(parseAttribute({ name: 'a', canonicalValues: [] }), 'canonicalValues'), false);
    assert.deepEqual(parseAttribute({ name: 'r', type: 'reference', canonicalValues: ['a'] }).canonicalValues, ['a']);
    const listMessage = 'a: canonicalValues must be a list of at most 100 non-empty strings';
    for (const list of [many(101), [''], [1], 'x', ['a'.repeat(257)]])
      assert.throws(() => parseAttribute({ name: 'a', canonicalValues: list }), refused(listMessage));
    assert.equal(parseAttribute({ name: 'a', canonicalValues: ['a'.repeat(256)] }).canonicalValues?.[0]?.length, 256);
    assert.deepEqual(parseAttribute({ name: 'r', type: 'reference', referenceTypes: ['User', 'uri'] }).referenceTypes, ['User', 'uri']);
    assert.deepEqual(parseAttribute({ name: 'r', type: 'reference', referenceTypes: [] }).referenceTypes, ['external']);
    assert.throws(
      () => parseAttribute({ name: 'r', type: 'reference', referenceTypes: [''] }),
      refused('r: referenceTypes must be a list of at most 100 non-empty strings'),
    );
    assert.throws(
      () => parseAttribute({ name: 'a', referenceTypes: ['uri'] }),
      refused('a: only a reference attribute has referenceTypes'),
    );
    assert.throws(
      () => parseAttribute({ name: 'a', type: 'boolean', canonicalValues: ['x'] }),
      refused('a: canonicalValues apply to string attributes'),
    );
    assert.equal(Object.hasOwn(parseAttribute({ name: 'a' }), 'referenceTypes'), false);
  });

  it('uniqueness: "global" refused; "server" only on a top-level attribute of a simple, non-boolean type', () => {
    assert.throws(
      () => parseAttribute({ name: 'a', uniqueness: 'global' }),
      refused('a: uniqueness "global" is not offered (tenants are isolated); use "server" (unique within the tenant)'),
    );
    const serverOnly = (label: string) =>
      refused(`${label}: uniqueness "server" applies to a top-level attribute of a simple, non-boolean type`);
    assert.throws(() => parseAttribute({ name: 'a', type: 'boolean', uniqueness: 'server' }), serverOnly('a'));
    assert.throws(
      () => parseAttribute({ name: 'a', type: 'complex', uniqueness: 'server', subAttributes: [{ name: 'x' }] }),
      serverOnly('a'),
    );
    assert.throws(
      () => parseAttribute({ name: 'c', type: 'complex', subAttributes: [{ name: 'x', uniqueness: 'server' }] }),
      serverOnly('c.x'),
    );
    for (const type of ['string', 'integer', 'decimal', 'reference', 'dateTime', 'binary'])
      assert.equal(parseAttribute({ name: 'a', type, uniqueness: 'server' }).uniqueness, 'server', type);
  });

  it('a schema: a JSON object, at most 100 attributes with names unique in any case, name and description strings', () => {
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `a${i}` }));
    assert.equal(parseSchema({ id: HR, attributes: attributes(100) }).attributes.length, 100);
    assert.throws(
      () => parseSchema({ id: HR, attributes: attributes(101) }),
      refused(`schema ${HR}: attributes must be a list of at most 100`),
    );
    assert.throws(() => parseSchema({ id: HR }), refused(`schema ${HR}: attributes must be a list of at most 100`));
    assert.throws(() => parseSchema([]), refused('a schema must be a JSON object in RFC 7643 §7 form'));
    assert.throws(
      () => parseSchema({ id: HR, attributes: [{ name: 'a' }, { name: 'A' }] }),
      refused(`schema ${HR} defines "A" twice (names are case-insensitive)`),
    );
    assert.throws(() => parseSchema({ id: HR, attributes: [], name: 5 }), refused(`schema ${HR}: name and description must be strings`));
    assert.throws(
      () => parseSchema({ id: HR, attributes: [], description: false }),
      refused(`schema ${HR}: name and description must be strings`),
    );
    assert.deepEqual(parseSchema({ id: HR, attributes: [], name: 'HR', description: 'People' }), {
      id: HR,
      name: 'HR',
      description: 'People',
      attributes: [],
    });
    assert.deepEqual(parseSchema({ id: HR, attributes: [] }), { id: HR, name: 'hr', description: '', attributes: [] });
  });
});
