import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedFilter } from './ast.ts';
import { DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX, parseFilter } from './parser.ts';
import { parsePatchPath } from './path.ts';
import { resolveFilter, resolvePatchPath } from './resolve.ts';
import { assertScimError, createTestRegistry, TEST_EXTENSION_ID } from './testing/helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const registry = createTestRegistry();
const resolve = (source: string, resourceType = 'User') => resolveFilter(parseFilter(source), registry, resourceType);

/** `jsonPath op value` of a resolved comparison, for compact assertions. */
function summary(f: ResolvedFilter): string {
  switch (f.kind) {
    case 'compare':
      return `${f.attr.jsonPath.join('/')} ${f.op} ${JSON.stringify(f.value)}`;
    case 'present':
      return `${f.attr.jsonPath.join('/')} pr`;
    case 'and':
    case 'or':
      return `(${summary(f.left)} ${f.kind} ${summary(f.right)})`;
    case 'not':
      return `not ${summary(f.filter)}`;
    case 'valuePath':
      return `${f.attr.jsonPath.join('/')}[${summary(f.filter)}]`;
  }
}

describe('RFC 7644 §3.4.2.2 filter resolution against the schemas', () => {
  const rows: { source: string; expected: string; resourceType?: string }[] = [
    { source: 'USERNAME eq "Bjensen"', expected: 'userName eq {"type":"string","value":"Bjensen"}' },
    { source: 'name.FAMILYNAME pr', expected: 'name/familyName pr' },
    { source: 'id eq "2819c223"', expected: 'id eq {"type":"string","value":"2819c223"}' },
    {
      source: 'meta.created gt "2011-05-13T04:42:34+02:00"',
      expected: 'meta/created gt {"type":"dateTime","value":"2011-05-13T04:42:34+02:00","epochMs":1305254554000}',
    },
    {
      source: 'meta.lastModified le "2011-05-13T02:42:34.5Z"',
      expected: 'meta/lastModified le {"type":"dateTime","value":"2011-05-13T02:42:34.5Z","epochMs":1305254554500}',
    },
    { source: 'active eq true', expected: 'active eq {"type":"boolean","value":true}' },
    { source: 'active eq "True"', expected: 'active eq {"type":"boolean","value":true}' },
    { source: 'active ne "FALSE"', expected: 'active ne {"type":"boolean","value":false}' },
    { source: 'title eq null', expected: 'title eq {"type":"null"}' },
    { source: 'active ne null', expected: 'active ne {"type":"null"}' },
    { source: 'emails co "@example.com"', expected: 'emails/value co {"type":"string","value":"@example.com"}' },
    { source: `${ENTERPRISE}:manager eq "26118915"`, expected: `${ENTERPRISE}/manager/value eq {"type":"string","value":"26118915"}` },
    {
      source: `${ENTERPRISE}:manager.value eq "26118915"`,
      expected: `${ENTERPRISE}/manager/value eq {"type":"string","value":"26118915"}`,
    },
    {
      source: `${ENTERPRISE.toLowerCase()}:Department sw "Tour"`,
      expected: `${ENTERPRISE}/department sw {"type":"string","value":"Tour"}`,
    },
    { source: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', expected: 'userName eq {"type":"string","value":"x"}' },
    {
      source: 'emails[type eq "work" and value co "@x"]',
      expected: 'emails[(emails/type eq {"type":"string","value":"work"} and emails/value co {"type":"string","value":"@x"})]',
    },
    { source: 'emails[not (primary eq true)]', expected: 'emails[not emails/primary eq {"type":"boolean","value":true}]' },
    { source: `${ENTERPRISE}:manager[value pr]`, expected: `${ENTERPRISE}/manager[${ENTERPRISE}/manager/value pr]` },
    {
      source: 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"',
      expected: 'schemas eq {"type":"string","value":"urn:ietf:params:scim:schemas:core:2.0:User"}',
    },
    { source: 'groups.$REF pr', expected: 'groups/$ref pr' },
    { source: `${TEST_EXTENSION_ID}:age ge 21`, expected: `${TEST_EXTENSION_ID}/age ge {"type":"number","value":21}` },
    { source: `${TEST_EXTENSION_ID}:score lt 1.5`, expected: `${TEST_EXTENSION_ID}/score lt {"type":"number","value":1.5}` },
    { source: `${TEST_EXTENSION_ID}:blob eq "QUJD"`, expected: `${TEST_EXTENSION_ID}/blob eq {"type":"string","value":"QUJD"}` },
    { source: 'emails pr', expected: 'emails pr' },
    { source: 'name pr', expected: 'name pr' },
    {
      source: 'members[value eq "2819c223"]',
      expected: 'members[members/value eq {"type":"string","value":"2819c223"}]',
      resourceType: 'Group',
    },
    { source: 'members.type eq "User"', expected: 'members/type eq {"type":"string","value":"User"}', resourceType: 'group' },
    { source: 'meta.resourceType eq "Group"', expected: 'meta/resourceType eq {"type":"string","value":"Group"}', resourceType: 'Group' },
  ];
  for (const { source, expected, resourceType } of rows) {
    it(`resolves ${source}`, () => assert.equal(summary(resolve(source, resourceType)), expected));
  }

  it('keeps the attribute definitions on the resolved node', () => {
    const f = resolve(`${ENTERPRISE}:manager.value eq "x"`);
    assert.ok(f.kind === 'compare');
    assert.equal(f.attr.isExtension, true);
    assert.equal(f.attr.schema, ENTERPRISE);
    assert.equal(f.attr.leaf.name, 'value');
    assert.equal(f.attr.leaf.caseExact, true);
  });

  const errors: { source: string; detail: string; resourceType?: string }[] = [
    { source: 'userNam eq "x"', detail: 'unknown attribute "userNam" at offset 0' },
    { source: 'title pr and name.nick pr', detail: 'unknown attribute "name.nick" at offset 13' },
    { source: 'userName.x pr', detail: 'unknown attribute "userName.x" at offset 0' },
    { source: 'urn:x:y:userName eq "a"', detail: 'unknown attribute "urn:x:y:userName" at offset 0' },
    { source: `${ENTERPRISE}:manager.nope pr`, detail: `unknown attribute "${ENTERPRISE}:manager.nope" at offset 0` },
    { source: 'members pr', detail: 'unknown attribute "members" at offset 0' },
    { source: `${ENTERPRISE}:department pr`, detail: `unknown attribute "${ENTERPRISE}:department" at offset 0`, resourceType: 'Group' },
    { source: 'emails[nope eq "x"]', detail: 'unknown sub-attribute of "emails": "nope" at offset 7' },
    { source: 'emails[emails.type eq "x"]', detail: 'unknown sub-attribute of "emails": "emails.type" at offset 7' },
    { source: 'emails[urn:x:type eq "x"]', detail: 'unknown sub-attribute of "emails": "urn:x:type" at offset 7' },
    { source: 'userName[value eq "x"]', detail: 'value filter on an attribute that is not complex: "userName" at offset 0' },
    { source: 'emails.value[value eq "x"]', detail: 'value filter on an attribute that is not complex: "emails.value" at offset 0' },
    { source: 'name eq "x"', detail: 'complex attribute without a "value" sub-attribute cannot be compared: "name" at offset 0' },
    { source: 'meta eq "x"', detail: 'complex attribute without a "value" sub-attribute cannot be compared: "meta" at offset 0' },
    { source: 'addresses eq "x"', detail: 'complex attribute without a "value" sub-attribute cannot be compared: "addresses" at offset 0' },
    { source: 'active co "t"', detail: 'operator "co" is not allowed on boolean attribute "active" at offset 0' },
    { source: 'active gt true', detail: 'operator "gt" is not allowed on boolean attribute "active" at offset 0' },
    { source: 'active eq "yes"', detail: 'boolean attribute cannot be compared with "yes": "active" at offset 0' },
    { source: 'active eq 1', detail: 'boolean attribute cannot be compared with 1: "active" at offset 0' },
    { source: 'userName eq 42', detail: 'string attribute cannot be compared with 42: "userName" at offset 0' },
    { source: 'userName eq true', detail: 'string attribute cannot be compared with true: "userName" at offset 0' },
    { source: 'title gt null', detail: 'operator "gt" cannot compare with null: "title" at offset 0' },
    { source: 'meta.created co "2011"', detail: 'operator "co" is not allowed on dateTime attribute "meta.created" at offset 0' },
    { source: 'meta.created gt "2011-05-13"', detail: '"2011-05-13" is not an xsd:dateTime, for "meta.created" at offset 0' },
    {
      source: 'meta.created gt "2011-02-29T00:00:00Z"',
      detail: '"2011-02-29T00:00:00Z" is not an xsd:dateTime, for "meta.created" at offset 0',
    },
    {
      source: 'meta.created gt "2011-05-13 04:42:34Z"',
      detail: '"2011-05-13 04:42:34Z" is not an xsd:dateTime, for "meta.created" at offset 0',
    },
    {
      source: 'meta.created gt "2011-05-13T04:42:34+15:00"',
      detail: '"2011-05-13T04:42:34+15:00" is not an xsd:dateTime, for "meta.created" at offset 0',
    },
    { source: 'meta.created gt 1305254554000', detail: '1305254554000 is not an xsd:dateTime, for "meta.created" at offset 0' },
    {
      source: `${TEST_EXTENSION_ID}:age sw 1`,
      detail: `operator "sw" is not allowed on integer attribute "${TEST_EXTENSION_ID}:age" at offset 0`,
    },
    {
      source: `${TEST_EXTENSION_ID}:score eq "1.5"`,
      detail: `decimal attribute cannot be compared with "1.5": "${TEST_EXTENSION_ID}:score" at offset 0`,
    },
    {
      source: `${TEST_EXTENSION_ID}:blob gt "QUJD"`,
      detail: `operator "gt" is not allowed on binary attribute "${TEST_EXTENSION_ID}:blob" at offset 0`,
    },
    { source: 'emails[primary co "t"]', detail: 'operator "co" is not allowed on boolean attribute "primary" at offset 7' },
  ];
  for (const { source, detail, resourceType } of errors) {
    it(`rejects ${source} with invalidFilter: ${detail}`, () =>
      assertScimError(() => resolve(source, resourceType), { scimType: 'invalidFilter', detail }));
  }

  it('rejects a nested value path built by hand (the parser cannot produce one)', () => {
    const inner = parseFilter('emails[type pr]');
    assertScimError(
      () =>
        resolveFilter(
          { kind: 'valuePath', path: { uri: undefined, name: 'emails', subAttr: undefined, offset: 0 }, filter: inner },
          registry,
          'User',
        ),
      { scimType: 'invalidFilter', detail: 'nested value filter at offset 0' },
    );
  });
});

describe('unquoted values resolved (docs/filtering.md "Unquoted values")', () => {
  const lenient = (source: string) =>
    summary(resolveFilter(parseFilter(source, DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX), registry, 'User'));

  it('entra: an unquoted number compared with a string attribute is the text it was written as', () => {
    assert.equal(lenient('externalId eq 12345'), 'externalId eq {"type":"string","value":"12345"}');
    assert.equal(lenient('externalId eq 1e3'), 'externalId eq {"type":"string","value":"1e3"}');
  });

  it('an unquoted number compared with a number attribute stays a number', () => {
    assert.equal(lenient(`${TEST_EXTENSION_ID}:age gt 1e1`), `${TEST_EXTENSION_ID}/age gt {"type":"number","value":10}`);
  });

  it('an unquoted date-time compared with a dateTime attribute is the instant', () => {
    assert.equal(
      lenient('meta.created gt 2015-10-10T14:38:21Z'),
      'meta/created gt {"type":"dateTime","value":"2015-10-10T14:38:21Z","epochMs":1444487901000}',
    );
  });

  it('an unquoted word compared with a number attribute is still 400 invalidFilter', () =>
    assertScimError(() => lenient(`${TEST_EXTENSION_ID}:age gt ten`), {
      scimType: 'invalidFilter',
      detail: new RegExp(`integer attribute cannot be compared with "ten": "${TEST_EXTENSION_ID}:age" at offset 0`),
    }));

  it('a quoted filter keeps RFC typing: a number for a string attribute is 400 invalidFilter', () =>
    assertScimError(() => resolve('externalId eq 12345'), {
      scimType: 'invalidFilter',
      detail: /string attribute cannot be compared with 12345/,
    }));
});

describe('RFC 7644 §3.5.2 PATCH path resolution', () => {
  const resolvePath = (source: string, resourceType = 'User') => resolvePatchPath(parsePatchPath(source), registry, resourceType);

  it('resolves a plain attribute and a sub-attribute', () => {
    const plain = resolvePath('userName');
    assert.deepEqual([plain.attr.jsonPath, plain.filter, plain.subAttribute], [['userName'], undefined, undefined]);
    assert.deepEqual(resolvePath('NAME.givenName').attr.jsonPath, ['name', 'givenName']);
  });

  it('resolves enterprise manager paths', () => {
    assert.deepEqual(resolvePath(`${ENTERPRISE}:manager`).attr.jsonPath, [ENTERPRISE, 'manager']);
    const value = resolvePath(`${ENTERPRISE}:manager.value`);
    assert.deepEqual(value.attr.jsonPath, [ENTERPRISE, 'manager', 'value']);
    assert.equal(value.attr.leaf.caseExact, true);
  });

  it('resolves a value filter and the sub-attribute after it', () => {
    const path = resolvePath('emails[type eq "work"].VALUE');
    assert.deepEqual(path.attr.jsonPath, ['emails']);
    assert.equal(path.filter && summary(path.filter), 'emails/type eq {"type":"string","value":"work"}');
    assert.equal(path.subAttribute?.name, 'value');
  });

  it('resolves members[value eq "…"] on Groups', () => {
    const path = resolvePath('members[value eq "2819c223"]', 'Group');
    assert.equal(path.filter && summary(path.filter), 'members/value eq {"type":"string","value":"2819c223"}');
    assert.equal(path.subAttribute, undefined);
  });

  const errors: { source: string; scimType: string; detail: string; resourceType?: string }[] = [
    { source: 'nickname.x', scimType: 'invalidPath', detail: 'unknown attribute "nickname.x" at offset 0' },
    { source: 'displayName', scimType: 'invalidPath', detail: 'unknown attribute "displayName" at offset 0', resourceType: 'Nope' },
    {
      source: 'userName[value eq "x"]',
      scimType: 'invalidPath',
      detail: 'value filter on an attribute that is not complex: "userName" at offset 0',
    },
    {
      source: 'emails.value[value eq "x"]',
      scimType: 'invalidPath',
      detail: 'value filter on an attribute that is not complex: "emails.value" at offset 0',
    },
    { source: 'emails[type eq "work"].nope', scimType: 'invalidPath', detail: 'unknown sub-attribute "nope" of "emails" at offset 0' },
    { source: 'emails[nope eq "work"]', scimType: 'invalidFilter', detail: 'unknown sub-attribute of "emails": "nope" at offset 7' },
    {
      source: 'emails[primary eq "x"]',
      scimType: 'invalidFilter',
      detail: 'boolean attribute cannot be compared with "x": "primary" at offset 7',
    },
  ];
  for (const { source, scimType, detail, resourceType } of errors) {
    it(`rejects ${source} with ${scimType}: ${detail}`, () =>
      assertScimError(() => resolvePath(source, resourceType), { scimType, detail }));
  }
});
