import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { ScimError } from '../errors/scim-error.ts';
import { parseDateTime } from '../schema/datetime.ts';
import { evaluateFilter, matchesElement } from './evaluate.ts';
import { compareCodePoints, fold } from './fold.ts';
import { parseFilter } from './parser.ts';
import { parsePatchPath } from './path.ts';
import { resolveFilter, resolvePatchPath } from './resolve.ts';
import { createTestRegistry, TEST_EXTENSION_ID as TEST } from './testing/helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const registry = createTestRegistry();

/** A User as GET returns it (RFC 7643 §8.2, trimmed), with the test extension. */
const USER: Record<string, unknown> = {
  schemas: [USER_SCHEMA, ENTERPRISE, TEST],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'Bjensen-EXT',
  userName: 'Bjensen',
  name: { familyName: 'Jensen', givenName: 'Barbara', middleName: '' },
  displayName: 'Babs Jensen',
  nickName: null,
  title: '',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
    { value: 'other@x.org' },
  ],
  phoneNumbers: [],
  ims: [{}],
  photos: [{ value: '' }],
  groups: [{ value: 'e9e30dba', display: 'Tour Guides', type: 'direct' }],
  x509Certificates: [{ value: 'QUJD' }],
  meta: {
    resourceType: 'User',
    created: '2011-05-13T04:42:34+02:00',
    lastModified: '2011-08-01T18:29:49.793Z',
    location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    version: 'W/"a330bc54f0671c9"',
  },
  [ENTERPRISE]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
  },
  [TEST]: {
    age: 42,
    score: 1.5,
    hired: '2010-01-01T00:00:00Z',
    blob: 'QUJD',
    code: 'AbC',
    tags: ['alpha', 'Beta'],
    badges: [{ rank: 1, label: 'gold' }, { rank: 3 }],
  },
};

const GROUP: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
  id: 'e9e30dba',
  displayName: 'Tour Guides',
  members: [
    { value: '2819c223-7f76-453a-919d-413861904646', type: 'User', display: 'Babs Jensen' },
    { value: '902c246b', type: 'Group', display: 'Guides' },
  ],
  meta: { resourceType: 'Group', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
};

const matches = (source: string, resource = USER, resourceType = 'User') =>
  evaluateFilter(resolveFilter(parseFilter(source), registry, resourceType), resource);

function table(title: string, rows: { source: string; expected: boolean }[], resource = USER, resourceType = 'User') {
  describe(title, () => {
    for (const { source, expected } of rows) {
      it(`${source} → ${expected}`, () => assert.equal(matches(source, resource, resourceType), expected));
    }
  });
}

describe('RFC 7644 §3.4.2.2 filter evaluation (docs/filtering.md)', () => {
  table('strings fold case unless caseExact', [
    { source: 'userName eq "bjensen"', expected: true },
    { source: 'USERNAME EQ "BJENSEN"', expected: true },
    { source: 'userName ne "bjensen"', expected: false },
    { source: 'userName ne "someone"', expected: true },
    { source: 'userName co "JENS"', expected: true },
    { source: 'userName sw "bj"', expected: true },
    { source: 'userName sw "je"', expected: false },
    { source: 'userName ew "SEN"', expected: true },
    { source: 'userName gt "bjenseA"', expected: true },
    { source: 'userName gt "bjensen"', expected: false },
    { source: 'userName ge "bjensen"', expected: true },
    { source: 'userName lt "c"', expected: true },
    { source: 'userName le "BJENSEN"', expected: true },
    { source: 'userName co "%"', expected: false },
    { source: 'userName co "_"', expected: false },
    { source: 'userName co ""', expected: true },
    { source: 'name.familyName eq "jensen"', expected: true },
    { source: 'userName eq "x\\" or 1=1"', expected: false },
  ]);

  table('caseExact attributes compare exactly (id, externalId, manager.value)', [
    { source: 'id eq "2819c223-7f76-453a-919d-413861904646"', expected: true },
    { source: 'id eq "2819C223-7F76-453A-919D-413861904646"', expected: false },
    { source: 'externalId eq "Bjensen-EXT"', expected: true },
    { source: 'externalId eq "bjensen-ext"', expected: false },
    { source: 'externalId sw "bjensen"', expected: false },
    { source: `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, expected: true },
    { source: `${ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, expected: true },
    { source: `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87E4-49D8CA9F808D"`, expected: false },
    { source: `${ENTERPRISE}:department eq "tour operations"`, expected: true },
    { source: `${TEST}:code eq "AbC"`, expected: true },
    { source: `${TEST}:code eq "abc"`, expected: false },
    { source: `${TEST}:code gt "ABC"`, expected: true },
    { source: `${TEST}:blob eq "QUJD"`, expected: true },
    { source: `${TEST}:blob eq "qujd"`, expected: false },
    { source: 'x509Certificates.value eq "qujd"', expected: false },
  ]);

  table('absent values: false, except ne; eq null / ne null test presence', [
    { source: 'nickName eq "x"', expected: false },
    { source: 'nickName ne "x"', expected: true },
    { source: 'nickName co ""', expected: false },
    { source: 'nickName gt "a"', expected: false },
    { source: 'locale ne "x"', expected: true },
    { source: 'locale eq null', expected: true },
    { source: 'locale ne null', expected: false },
    { source: 'title eq null', expected: true },
    { source: 'title eq ""', expected: true },
    { source: 'title ne ""', expected: false },
    { source: 'userName eq null', expected: false },
    { source: 'userName ne null', expected: true },
    { source: `${ENTERPRISE}:costCenter ne "x"`, expected: true },
    { source: 'not (nickName eq "x")', expected: true },
    { source: 'not (nickName ne "x")', expected: false },
  ]);

  table('pr: not null, not "", not [], and a complex value with a present member', [
    { source: 'userName pr', expected: true },
    { source: 'title pr', expected: false },
    { source: 'nickName pr', expected: false },
    { source: 'locale pr', expected: false },
    { source: 'name pr', expected: true },
    { source: 'name.middleName pr', expected: false },
    { source: 'emails pr', expected: true },
    { source: 'phoneNumbers pr', expected: false },
    { source: 'ims pr', expected: false },
    { source: 'photos pr', expected: false },
    { source: 'photos.value pr', expected: false },
    { source: 'emails.type pr', expected: true },
    { source: 'addresses pr', expected: false },
    { source: 'active pr', expected: true },
    { source: `${ENTERPRISE}:manager pr`, expected: true },
    { source: `${ENTERPRISE}:manager.$ref pr`, expected: false },
    { source: 'emails[type pr]', expected: true },
    { source: 'ims[type pr]', expected: false },
  ]);

  table('multi-valued attributes are existential, ne included', [
    { source: 'emails.value eq "BABS@jensen.org"', expected: true },
    { source: 'emails eq "babs@jensen.org"', expected: true },
    { source: 'emails co "example.com"', expected: true },
    { source: 'emails.value ne "bjensen@example.com"', expected: true },
    { source: 'emails.type eq "other"', expected: false },
    { source: 'emails.type ne "work"', expected: true },
    { source: 'emails.primary eq true', expected: true },
    { source: 'emails.primary eq false', expected: false },
    { source: 'emails.primary ne true', expected: false },
    { source: 'phoneNumbers.value ne "x"', expected: false },
    { source: 'phoneNumbers ne "x"', expected: false },
    { source: 'addresses.locality ne "x"', expected: false },
    { source: 'phoneNumbers.value eq null', expected: true },
    { source: 'emails.value eq null', expected: false },
    { source: `${TEST}:tags eq "beta"`, expected: true },
    { source: `${TEST}:tags ne "alpha"`, expected: true },
    { source: `${TEST}:tags sw "g"`, expected: false },
    { source: `${TEST}:badges.rank gt 2`, expected: true },
    { source: `${TEST}:badges.rank gt 3`, expected: false },
    { source: 'groups.value eq "e9e30dba"', expected: true },
    { source: 'groups.display eq "tour guides"', expected: true },
    { source: 'groups.type eq "indirect"', expected: false },
  ]);

  table('value paths need one element to satisfy the whole inner filter', [
    { source: 'emails[type eq "work" and value co "@example.com"]', expected: true },
    { source: 'emails[type eq "home" and value co "@example.com"]', expected: false },
    { source: 'emails.type eq "home" and emails.value co "@example.com"', expected: true },
    { source: 'emails[type eq "WORK" and primary eq true]', expected: true },
    { source: 'emails[not (type eq "work")]', expected: true },
    { source: 'emails[type ne "work" and type ne "home"]', expected: true },
    { source: 'emails[value ew ".org" and not (type pr)]', expected: true },
    { source: 'emails[primary eq true or type eq "nope"]', expected: true },
    { source: 'phoneNumbers[type ne "x"]', expected: false },
    { source: 'addresses[type ne "x"]', expected: false },
    { source: 'not (phoneNumbers[type pr])', expected: true },
    { source: `${ENTERPRISE}:manager[value sw "2611" and displayName eq "john smith"]`, expected: true },
    { source: `${TEST}:badges[rank eq 3 and label pr]`, expected: false },
    { source: `${TEST}:badges[rank lt 2 and label eq "GOLD"]`, expected: true },
    { source: 'name[givenName eq "barbara"]', expected: true },
  ]);

  table('dateTime values compare as instants', [
    { source: 'meta.created eq "2011-05-13T02:42:34Z"', expected: true },
    { source: 'meta.created eq "2011-05-13T04:42:34+02:00"', expected: true },
    { source: 'meta.created eq "2011-05-12T21:42:34-05:00"', expected: true },
    { source: 'meta.created eq "2011-05-13T02:42:34.000Z"', expected: true },
    { source: 'meta.created eq "2011-05-13T02:42:34"', expected: true },
    { source: 'meta.created ne "2011-05-13T02:42:34Z"', expected: false },
    { source: 'meta.created gt "2011-05-13T02:42:33Z"', expected: true },
    { source: 'meta.created gt "2011-05-13T04:42:33Z"', expected: false },
    { source: 'meta.created ge "2011-05-13T02:42:34Z"', expected: true },
    { source: 'meta.created lt "2011-05-13T03:42:34+01:00"', expected: false },
    { source: 'meta.created le "2011-05-13T03:42:34+01:00"', expected: true },
    { source: 'meta.lastModified gt "2011-08-01T18:29:49.792Z"', expected: true },
    { source: 'meta.lastModified gt "2011-08-01T18:29:49.793Z"', expected: false },
    { source: 'meta.lastModified lt "2011-08-01T18:29:49.7931Z"', expected: false },
    { source: `${TEST}:hired lt "2009-12-31T24:00:00Z"`, expected: false },
    { source: `${TEST}:hired le "2009-12-31T24:00:00Z"`, expected: true },
    { source: 'meta.created gt "2011-01-01T00:00:00Z" and meta.lastModified lt "2012-01-01T00:00:00Z"', expected: true },
  ]);

  table('booleans and numbers', [
    { source: 'active eq true', expected: true },
    { source: 'active eq "True"', expected: true },
    { source: 'active eq "false"', expected: false },
    { source: 'active ne false', expected: true },
    { source: 'active ne true', expected: false },
    { source: `${TEST}:age eq 42`, expected: true },
    { source: `${TEST}:age eq 42.0`, expected: true },
    { source: `${TEST}:age eq 4.2e1`, expected: true },
    { source: `${TEST}:age ne 42`, expected: false },
    { source: `${TEST}:age gt 41.5`, expected: true },
    { source: `${TEST}:age ge 42`, expected: true },
    { source: `${TEST}:age lt 42`, expected: false },
    { source: `${TEST}:age le -1`, expected: false },
    { source: `${TEST}:score gt 1`, expected: true },
    { source: `${TEST}:score eq 1.5`, expected: true },
  ]);

  table('schemas, meta and logic', [
    { source: `schemas eq "${USER_SCHEMA}"`, expected: true },
    { source: `schemas eq "${ENTERPRISE}"`, expected: true },
    { source: 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"', expected: false },
    { source: 'meta.resourceType eq "User"', expected: true },
    { source: 'meta.resourceType eq "user"', expected: false },
    { source: 'userName eq "nobody" or title eq "" and active eq true', expected: true },
    { source: '(userName eq "nobody" or title eq "") and active eq false', expected: false },
    { source: 'not (userName eq "bjensen") or active eq true', expected: true },
    { source: 'not (not (userName eq "bjensen"))', expected: true },
  ]);

  table(
    'Groups: members and meta',
    [
      { source: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]', expected: true },
      { source: 'members[value eq "2819C223-7F76-453A-919D-413861904646"]', expected: false },
      { source: 'members.value eq "902c246b" and members.type eq "group"', expected: true },
      { source: 'members[value eq "902c246b" and type eq "User"]', expected: false },
      { source: 'members.display co "babs"', expected: true },
      { source: 'meta.resourceType eq "Group" and displayName eq "TOUR GUIDES"', expected: true },
      { source: 'meta.lastModified ge "2011-05-13T06:42:34+02:00"', expected: true },
      { source: 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"', expected: true },
    ],
    GROUP,
    'Group',
  );

  it('treats values of the wrong JSON type as absent', () => {
    const odd = { userName: 42, active: 'true', meta: { created: 'yesterday' }, emails: [{ value: 7 }, 'x', null] };
    assert.equal(matches('userName eq "42"', odd), false);
    assert.equal(matches('userName ne "42"', odd), true);
    assert.equal(matches('active eq true', odd), false);
    assert.equal(matches('meta.created lt "2100-01-01T00:00:00Z"', odd), false);
    assert.equal(matches('emails.value ne "x"', odd), false);
    assert.equal(matches('emails[value pr]', odd), true);
  });

  it('evaluates against an empty resource without throwing', () => {
    assert.equal(matches('userName eq "x" or emails[type eq "work"] or meta.created gt "2011-01-01T00:00:00Z"', {}), false);
    assert.equal(matches('userName ne "x" and emails.value eq null', {}), true);
  });
});

describe('RFC 7644 §3.5.2 PATCH value-filter element matching', () => {
  const path = resolvePatchPath(parsePatchPath('emails[type eq "WORK" or primary eq true].value'), registry, 'User');
  const emails = USER.emails as unknown[];

  it('selects the elements the inner filter matches', () => {
    assert.ok(path.filter);
    assert.deepEqual(
      emails.map((e) => matchesElement(path.filter!, e)),
      [true, false, false],
    );
  });

  it('selects Group members by value, exactly', () => {
    const members = resolvePatchPath(parsePatchPath('members[value eq "902c246b"]'), registry, 'Group');
    assert.deepEqual(
      (GROUP.members as unknown[]).map((m) => matchesElement(members.filter!, m)),
      [false, true],
    );
  });

  it('applies the per-element absent rule: ne matches an element without the sub-attribute', () => {
    const notWork = resolvePatchPath(parsePatchPath('emails[type ne "work"]'), registry, 'User');
    assert.deepEqual(
      emails.map((e) => matchesElement(notWork.filter!, e)),
      [false, true, true],
    );
  });

  it('never matches a non-object element', () => {
    for (const element of [null, undefined, 'x', 1, [], [{ type: 'work' }]]) assert.equal(matchesElement(path.filter!, element), false);
  });

  it('matches the inner filter of a resolved valuePath node too', () => {
    const node = resolveFilter(parseFilter('emails[value ew ".org"]'), registry, 'User');
    assert.ok(node.kind === 'valuePath');
    assert.deepEqual(
      emails.map((e) => matchesElement(node.filter, e)),
      [false, true, true],
    );
  });
});

describe('fold and code-point order (shared with the stores)', () => {
  it('folds with toLowerCase', () => assert.equal(fold('ÉMILE Ǆ İ'), 'ÉMILE Ǆ İ'.toLowerCase()));

  it('orders by code point, not UTF-16 code unit', () => {
    assert.ok(compareCodePoints('\uffff', '😀') < 0);
    assert.ok('\uffff' > '😀');
    assert.ok(compareCodePoints('a', 'b') < 0);
    assert.ok(compareCodePoints('ab', 'a') > 0);
    assert.equal(compareCodePoints('x', 'x'), 0);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const byCodePoint = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        assert.equal(Math.sign(compareCodePoints(a, b)), byCodePoint);
      }),
    );
  });
});

describe('xsd:dateTime (RFC 7643 §2.3.5)', () => {
  const rows: { source: string; expected: number | undefined }[] = [
    { source: '1970-01-01T00:00:00Z', expected: 0 },
    { source: '1970-01-01T00:00:00', expected: 0 },
    { source: '1970-01-01T01:00:00+01:00', expected: 0 },
    { source: '1969-12-31T23:59:59.999Z', expected: -1 },
    { source: '2000-02-29T12:00:00.123456Z', expected: Date.UTC(2000, 1, 29, 12, 0, 0, 123) },
    { source: '0001-01-01T00:00:00Z', expected: -62135596800000 },
    { source: '2011-05-13T04:42:34.5-14:00', expected: Date.UTC(2011, 4, 13, 18, 42, 34, 500) },
    { source: '1999-12-31T24:00:00Z', expected: Date.UTC(2000, 0, 1) },
    { source: '1900-02-29T00:00:00Z', expected: undefined },
    { source: '2011-13-01T00:00:00Z', expected: undefined },
    { source: '2011-04-31T00:00:00Z', expected: undefined },
    { source: '2011-05-13T24:00:01Z', expected: undefined },
    { source: '2011-05-13T23:60:00Z', expected: undefined },
    { source: '2011-05-13T23:00:60Z', expected: undefined },
    { source: '2011-05-13T23:00:00+14:01', expected: undefined },
    { source: '2011-05-13t23:00:00z', expected: undefined },
    { source: '2011-05-13T23:00Z', expected: undefined },
    { source: '2011-05-13', expected: undefined },
    { source: ' 2011-05-13T23:00:00Z', expected: undefined },
  ];
  for (const { source, expected } of rows) it(`${source} → ${expected}`, () => assert.equal(parseDateTime(source), expected));

  it('agrees with Date for every instant it can represent', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        assert.equal(parseDateTime(d.toISOString()), d.getTime());
      }),
    );
  });
});

describe('parse → resolve → evaluate on arbitrary input', () => {
  it('throws nothing but 400 ScimErrors', () => {
    const pieces = [
      'emails',
      'userName',
      'meta.created',
      'active',
      'name',
      `${ENTERPRISE}:manager`,
      '[',
      ']',
      '(',
      ')',
      ' ',
      'eq',
      'ne',
      'co',
      'gt',
      'pr',
      'and',
      'or',
      'not',
      '"x"',
      '"True"',
      '"2011-05-13T04:42:34Z"',
      '1',
      'true',
      'null',
      'type',
      'value',
      '.value',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 25 }).map((p) => p.join(' ')),
        (text) => {
          try {
            evaluateFilter(resolveFilter(parseFilter(text), registry, 'User'), USER);
          } catch (e) {
            if (!(e instanceof ScimError) || e.status !== 400 || !/at offset \d+/.test(e.detail)) throw e;
          }
        },
      ),
      fuzzParameters(3000),
    );
  });
});
