import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { ScimError } from '../errors/scim-error.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from './core/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from './core/group.ts';
import { USER_SCHEMA_ID } from './core/user.ts';
import { createCoreRegistry } from './registry.ts';
import { ACME_SCHEMA_ID, createAcmeRegistry } from './testing/acme-extension.ts';
import { type ValidateOptions, validateResource } from './validate.ts';

const registry = createCoreRegistry();
const acmeRegistry = createAcmeRegistry();
const CREATE: ValidateOptions = { mode: 'create' };
const ENTRA_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

const user = (extra: Record<string, unknown> = {}) => ({ schemas: [USER_SCHEMA_ID], userName: 'bjensen', ...extra });
const group = (extra: Record<string, unknown> = {}) => ({ schemas: [GROUP_SCHEMA_ID], displayName: 'Tour Guides', ...extra });
const acme = (attrs: Record<string, unknown>) => user({ [ACME_SCHEMA_ID]: { costCode: 'CC1', ...attrs } });

const validateUser = (body: unknown, options: ValidateOptions = CREATE) => validateResource(registry, 'User', body, options);
const validateAcme = (body: unknown, options: ValidateOptions = CREATE) => validateResource(acmeRegistry, 'User', body, options);

function assertScimError(fn: () => unknown, expected: { status: number; scimType: string | undefined; detail: string }): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.deepEqual({ status: error.status, scimType: error.scimType, detail: error.detail }, expected);
    return true;
  });
}
const invalidValue = (detail: string) => ({ status: 400, scimType: 'invalidValue', detail });

describe('RFC 7644 §3.3 request body', () => {
  for (const body of [null, [], 'x', 1, true]) {
    it(`a body of ${JSON.stringify(body)} is 400 invalidSyntax`, () => {
      assertScimError(() => validateUser(body), {
        status: 400,
        scimType: 'invalidSyntax',
        detail: 'request body must be a JSON object',
      });
    });
  }
});

describe('RFC 7643 §3 schemas', () => {
  it('a body without schemas is 400 invalidValue', () => {
    assertScimError(
      () => validateUser({ userName: 'bjensen' }),
      invalidValue(`attribute "schemas" is required and must contain "${USER_SCHEMA_ID}"`),
    );
  });
  it('schemas that is not an array of strings is 400 invalidValue', () => {
    for (const schemas of [USER_SCHEMA_ID, [1], [USER_SCHEMA_ID, null]]) {
      assertScimError(() => validateUser({ schemas, userName: 'b' }), invalidValue('attribute "schemas": expected an array of strings'));
    }
  });
  it('schemas without the core schema is 400 invalidValue', () => {
    assertScimError(
      () => validateUser({ schemas: [GROUP_SCHEMA_ID], userName: 'b' }),
      invalidValue(`attribute "schemas" must contain "${USER_SCHEMA_ID}"`),
    );
  });
  it('the core schema URN matches in any case', () => {
    assert.equal(validateUser({ schemas: [USER_SCHEMA_ID.toUpperCase()], userName: 'b' }).doc.userName, 'b');
  });
  it('entra: an extra unknown schema URI on a group is tolerated and ignored', () => {
    const result = validateResource(registry, 'Group', group({ schemas: [GROUP_SCHEMA_ID, ENTRA_GROUP_SCHEMA] }), CREATE);
    assert.deepEqual(result.doc, { displayName: 'Tour Guides' });
  });
  it('schemas, id and meta never end up in doc', () => {
    const result = validateUser(user({ id: 'x', meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z' } }));
    assert.deepEqual(result.doc, { userName: 'bjensen' });
  });
});

describe('RFC 7643 §2.1 attribute names', () => {
  it('are case-insensitive on input and canonical in doc', () => {
    const result = validateUser({
      SCHEMAS: [USER_SCHEMA_ID],
      UserName: 'bjensen',
      NAME: { GivenName: 'Barbara', familyname: 'Jensen' },
      Emails: [{ Value: 'b@example.com', PRIMARY: true }],
    });
    assert.deepEqual(result.doc, {
      userName: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      emails: [{ value: 'b@example.com', primary: true }],
    });
  });
  it('extension attributes under their URN in any case are stored under the canonical URN', () => {
    const result = validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID.toUpperCase()]: { Department: 'Tour Operations' } }));
    assert.deepEqual(result.doc, { userName: 'bjensen', [ENTERPRISE_USER_SCHEMA_ID]: { department: 'Tour Operations' } });
  });
  it('entra: URN-qualified top-level extension attributes are stored in the extension object', () => {
    const result = validateUser(
      user({
        [`${ENTERPRISE_USER_SCHEMA_ID}:department`]: 'Tour Operations',
        [`${ENTERPRISE_USER_SCHEMA_ID}:employeeNumber`]: '701984',
      }),
    );
    assert.deepEqual(result.doc[ENTERPRISE_USER_SCHEMA_ID], { employeeNumber: '701984', department: 'Tour Operations' });
  });
  it('URN-qualified core attributes are read as the core attribute', () => {
    assert.equal(validateUser({ schemas: [USER_SCHEMA_ID], [`${USER_SCHEMA_ID}:userName`]: 'q' }).doc.userName, 'q');
  });
  it('one attribute given twice under different cases is 400 invalidSyntax', () => {
    assertScimError(() => validateUser(user({ USERNAME: 'other' })), {
      status: 400,
      scimType: 'invalidSyntax',
      detail: 'attribute "userName" is given more than once',
    });
    assertScimError(
      () => validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID]: { department: 'a' }, [`${ENTERPRISE_USER_SCHEMA_ID}:Department`]: 'b' })),
      { status: 400, scimType: 'invalidSyntax', detail: `attribute "${ENTERPRISE_USER_SCHEMA_ID}:department" is given more than once` },
    );
  });
  it('an extension value that is not an object is 400 invalidValue', () => {
    assertScimError(
      () => validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID]: 'x' })),
      invalidValue(`attribute "${ENTERPRISE_USER_SCHEMA_ID}": expected a JSON object`),
    );
  });
});

describe('unknown attributes', () => {
  it('are dropped silently, with unknown sub-attributes and unknown extension attributes', () => {
    const result = validateUser(
      user({
        favouriteColour: 'blue',
        'urn:example:unknown:2.0:User:shoeSize': 42,
        name: { givenName: 'B', nickname2: 'x' },
        [ENTERPRISE_USER_SCHEMA_ID]: { department: 'D', planet: 'Mars' },
        [`${ENTERPRISE_USER_SCHEMA_ID}:planet`]: 'Mars',
        'name.familyName': 'J',
      }),
    );
    assert.deepEqual(result.doc, { userName: 'bjensen', name: { givenName: 'B' }, [ENTERPRISE_USER_SCHEMA_ID]: { department: 'D' } });
  });
  it('__proto__, constructor and prototype are never copied (prototype pollution)', () => {
    const body = JSON.parse(
      `{"schemas":["${USER_SCHEMA_ID}"],"userName":"b","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},` +
        `"name":{"__proto__":{"polluted":true},"givenName":"B"},"${ENTERPRISE_USER_SCHEMA_ID}":{"__proto__":{"polluted":true}}}`,
    ) as unknown;
    const result = validateUser(body);
    assert.deepEqual(result.doc, { userName: 'b', name: { givenName: 'B' } });
    assert.equal(Object.getPrototypeOf(result.doc), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(result.doc, '__proto__'), false);
  });
  it('elements of a multi-valued attribute left empty after dropping are removed', () => {
    const result = validateUser(user({ emails: [{ colour: 'x' }, { value: 'a@example.com' }], phoneNumbers: [{ colour: 'x' }] }));
    assert.deepEqual(result.doc, { userName: 'bjensen', emails: [{ value: 'a@example.com' }] });
  });
});

describe('RFC 7643 §2.2 readOnly attributes are ignored on input', () => {
  it('id, meta, groups, manager.displayName', () => {
    const result = validateUser(
      user({
        id: 'client-chosen',
        meta: { version: 'W/"1"' },
        groups: [{ value: 'g1' }],
        [ENTERPRISE_USER_SCHEMA_ID]: { manager: { value: 'm1', displayName: 'Boss' } },
      }),
    );
    assert.deepEqual(result.doc, { userName: 'bjensen', [ENTERPRISE_USER_SCHEMA_ID]: { manager: { value: 'm1' } } });
  });
  it('a readOnly attribute given twice is still just ignored', () => {
    assert.deepEqual(validateUser(user({ id: 'a', ID: 'b' })).doc, { userName: 'bjensen' });
  });
  it('okta: groups: [] on create is ignored', () => {
    assert.deepEqual(validateUser(user({ groups: [] })).doc, { userName: 'bjensen' });
  });
  it('a readOnly extension attribute is ignored', () => {
    const result = validateAcme(acme({ computed: 'client value' }));
    assert.deepEqual(result.doc[ACME_SCHEMA_ID], { costCode: 'CC1' });
  });
});

describe('RFC 7643 §4.1.1 password (writeOnly)', () => {
  it('goes to the password result, never into doc', () => {
    const result = validateUser(user({ Password: 't1meMa$heen' }));
    assert.equal(result.password, 't1meMa$heen');
    assert.deepEqual(result.doc, { userName: 'bjensen' });
  });
  it('absent or null password is undefined', () => {
    assert.equal(validateUser(user()).password, undefined);
    assert.equal(validateUser(user({ password: null })).password, undefined);
  });
  it('a non-string password is 400 invalidValue', () => {
    assertScimError(() => validateUser(user({ password: 1234 })), invalidValue('attribute "password": expected a string'));
  });
});

describe('RFC 7643 §4.2 Group.members', () => {
  const validateGroup = (body: unknown) => validateResource(registry, 'Group', body, CREATE);
  it('go to the members result with value and type; display and $ref are dropped; never in doc', () => {
    const result = validateGroup(
      group({
        members: [
          { value: 'u1', display: 'Babs', $ref: 'https://x/Users/u1' },
          { Value: 'g2', TYPE: 'Group' },
        ],
      }),
    );
    assert.deepEqual(result.members, [{ value: 'u1' }, { value: 'g2', type: 'Group' }]);
    assert.deepEqual(result.doc, { displayName: 'Tour Guides' });
  });
  it('absent members is undefined; null and [] are []', () => {
    assert.equal(validateGroup(group()).members, undefined);
    assert.deepEqual(validateGroup(group({ members: null })).members, []);
    assert.deepEqual(validateGroup(group({ members: [] })).members, []);
  });
  it('a member given twice is kept once', () => {
    assert.deepEqual(validateGroup(group({ members: [{ value: 'u1' }, { value: 'u1', type: 'User' }] })).members, [{ value: 'u1' }]);
  });
  it('a single member object is a one-element list', () => {
    assert.deepEqual(validateGroup(group({ members: { value: 'u1' } })).members, [{ value: 'u1' }]);
  });
  const bad: readonly [string, unknown, string][] = [
    ['missing value', [{ display: 'x' }], 'attribute "members[0].value": expected a non-empty string'],
    ['empty value', [{ value: 'u1' }, { value: '' }], 'attribute "members[1].value": expected a non-empty string'],
    ['numeric value', [{ value: 7 }], 'attribute "members[0].value": expected a non-empty string'],
    ['non-object element', ['u1'], 'attribute "members[0]": expected a JSON object'],
    ['non-string type', [{ value: 'u1', type: 1 }], 'attribute "members[0].type": expected a string'],
  ];
  for (const [label, members, detail] of bad) {
    it(`${label} is 400 invalidValue`, () => {
      assertScimError(() => validateGroup(group({ members })), invalidValue(detail));
    });
  }
});

describe('RFC 7643 §2.3 data types', () => {
  const good: readonly [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['integer', { level: 3 }, { level: 3 }],
    ['integer 0', { level: 0 }, { level: 0 }],
    ['decimal', { score: 1.5 }, { score: 1.5 }],
    ['decimal integer', { score: 2 }, { score: 2 }],
    ['dateTime kept as sent', { hired: '2011-08-01T18:29:49.793+02:00' }, { hired: '2011-08-01T18:29:49.793+02:00' }],
    ['dateTime without zone', { hired: '2011-08-01T18:29:49' }, { hired: '2011-08-01T18:29:49' }],
    ['binary', { badge: 'TWFu' }, { badge: 'TWFu' }],
    ['binary padded', { badge: 'TWE=' }, { badge: 'TWE=' }],
    ['multi-valued string', { tags: ['a', 'b'] }, { tags: ['a', 'b'] }],
    ['single value for a multi-valued attribute', { tags: 'a' }, { tags: ['a'] }],
  ];
  for (const [label, input, expected] of good) {
    it(`accepts ${label}`, () => {
      assert.deepEqual(validateAcme(acme(input)).doc[ACME_SCHEMA_ID], { costCode: 'CC1', ...expected });
    });
  }
  const A = ACME_SCHEMA_ID;
  const bad: readonly [string, Record<string, unknown>, string][] = [
    ['a number for a string', { costCode: 5 }, `attribute "${A}:costCode": expected a string`],
    ['a numeric string for an integer', { level: '3' }, `attribute "${A}:level": expected an integer`],
    ['a fraction for an integer', { level: 1.5 }, `attribute "${A}:level": expected an integer`],
    ['a string for a decimal', { score: '1.5' }, `attribute "${A}:score": expected a number`],
    ['a date without time', { hired: '2011-08-01' }, `attribute "${A}:hired": expected an xsd:dateTime string`],
    ['month 13', { hired: '2011-13-01T00:00:00Z' }, `attribute "${A}:hired": expected an xsd:dateTime string`],
    [
      'February 31st (no instant, so no filter could compare it)',
      { hired: '2011-02-31T00:00:00Z' },
      `attribute "${A}:hired": expected an xsd:dateTime string`,
    ],
    ['a number for a dateTime', { hired: 0 }, `attribute "${A}:hired": expected an xsd:dateTime string`],
    ['non-base64', { badge: 'not base64!' }, `attribute "${A}:badge": expected a base64 string`],
    ['bad base64 length', { badge: 'TWF' }, `attribute "${A}:badge": expected a base64 string`],
    ['an object for a string element', { tags: ['a', {}] }, `attribute "${A}:tags[1]": expected a string`],
    ['a string for a complex', { site: 5 }, `attribute "${A}:site": expected a JSON object`],
  ];
  for (const [label, input, detail] of bad) {
    it(`${label} is 400 invalidValue`, () => {
      assertScimError(() => validateAcme(acme(input)), invalidValue(detail));
    });
  }
  const coreBad: readonly [string, Record<string, unknown>, string][] = [
    [
      'emails[1].primary as a number',
      { emails: [{ value: 'a' }, { value: 'b', primary: 1 }] },
      'attribute "emails[1].primary": expected a boolean',
    ],
    ['active as "yes"', { active: 'yes' }, 'attribute "active": expected a boolean'],
    ['userName as a number', { userName: 7 }, 'attribute "userName": expected a string'],
    ['name as an array', { name: [{ givenName: 'B' }] }, 'attribute "name": expected a JSON object'],
    ['emails as a list of strings', { emails: ['a@example.com'] }, 'attribute "emails[0]": expected a JSON object'],
    ['profileUrl as a number', { profileUrl: 1 }, 'attribute "profileUrl": expected a reference (string)'],
  ];
  for (const [label, input, detail] of coreBad) {
    it(`${label} is 400 invalidValue`, () => {
      assertScimError(() => validateUser(user(input)), invalidValue(detail));
    });
  }
});

describe('booleans', () => {
  const cases: readonly [unknown, boolean][] = [
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['TRUE', true],
    ['false', false],
  ];
  for (const [input, expected] of cases) {
    it(`entra: ${JSON.stringify(input)} is the boolean ${expected}`, () => {
      assert.equal(validateUser(user({ active: input })).doc.active, expected);
    });
  }
  it('entra: "True" as primary counts as primary', () => {
    assert.deepEqual(validateUser(user({ emails: [{ value: 'a', primary: 'True' }] })).doc.emails, [{ value: 'a', primary: true }]);
  });
});

describe('RFC 7643 §2.5 unassigned values', () => {
  it('null and [] mean the attribute is absent', () => {
    const result = validateUser(user({ displayName: null, emails: [], name: null, phoneNumbers: [null] }));
    assert.deepEqual(result.doc, { userName: 'bjensen' });
  });
  it('an extension object with nothing left is absent', () => {
    assert.deepEqual(validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID]: { department: null } })).doc, { userName: 'bjensen' });
  });
  it('a single object for a multi-valued complex attribute is a one-element array', () => {
    assert.deepEqual(validateUser(user({ emails: { value: 'a@example.com' } })).doc.emails, [{ value: 'a@example.com' }]);
  });
});

describe('RFC 7643 §2.4 multi-valued primary', () => {
  it('two primary values are 400 invalidValue', () => {
    assertScimError(
      () =>
        validateUser(
          user({
            emails: [
              { value: 'a', primary: true },
              { value: 'b', primary: 'true' },
            ],
          }),
        ),
      invalidValue('attribute "emails": at most one value may have primary true'),
    );
  });
  it('one primary among others is fine', () => {
    const emails = [{ value: 'a', primary: true }, { value: 'b', primary: false }, { value: 'c' }];
    assert.deepEqual(validateUser(user({ emails })).doc.emails, emails);
  });
});

describe('RFC 7643 §2.4 canonicalValues', () => {
  it('entra: are advisory for the core schemas ("untyped" is stored)', () => {
    const result = validateUser(user({ emails: [{ value: 'a', type: 'untyped' }], addresses: [{ type: 'Office' }] }));
    assert.deepEqual(result.doc.emails, [{ value: 'a', type: 'untyped' }]);
  });
  it('are enforced for tenant extensions, matched case-insensitively, stored as sent', () => {
    assert.equal((validateAcme(acme({ tier: 'GOLD' })).doc[ACME_SCHEMA_ID] as Record<string, unknown>).tier, 'GOLD');
    assertScimError(
      () => validateAcme(acme({ tier: 'bronze' })),
      invalidValue(`attribute "${ACME_SCHEMA_ID}:tier": expected one of "gold", "silver"`),
    );
  });
});

describe('RFC 7643 §2.2 required', () => {
  it('a User without userName is 400 invalidValue', () => {
    assertScimError(
      () => validateUser({ schemas: [USER_SCHEMA_ID], displayName: 'B' }),
      invalidValue('required attribute "userName" is missing'),
    );
  });
  it('an empty userName counts as missing', () => {
    assertScimError(() => validateUser(user({ userName: '' })), invalidValue('required attribute "userName" is missing'));
  });
  it('a Group without displayName is 400 invalidValue', () => {
    assertScimError(
      () => validateResource(registry, 'Group', { schemas: [GROUP_SCHEMA_ID], members: [] }, CREATE),
      invalidValue('required attribute "displayName" is missing'),
    );
  });
  it('required extension attributes are checked when the extension is used, and all missing ones are named', () => {
    assertScimError(
      () => validateAcme({ schemas: [USER_SCHEMA_ID, ACME_SCHEMA_ID] }),
      invalidValue(`required attributes "userName", "${ACME_SCHEMA_ID}:costCode" are missing`),
    );
    assertScimError(
      () => validateAcme(user({ [ACME_SCHEMA_ID]: { level: 1 } })),
      invalidValue(`required attribute "${ACME_SCHEMA_ID}:costCode" is missing`),
    );
    assert.deepEqual(validateAcme(user()).doc, { userName: 'bjensen' });
  });
  it('RFC 7643 §6: a required extension must be present', () => {
    const strict = createAcmeRegistry(true);
    assertScimError(
      () => validateResource(strict, 'User', user(), CREATE),
      invalidValue(`required attribute "${ACME_SCHEMA_ID}" is missing`),
    );
    assert.ok(validateResource(strict, 'User', acme({}), CREATE).doc[ACME_SCHEMA_ID]);
  });
});

describe('entra: manager as a bare string', () => {
  it('is read as manager.value', () => {
    const result = validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID]: { manager: '26118915-6090-4610-87e4-49d8ca9f808d' } }));
    assert.deepEqual(result.doc[ENTERPRISE_USER_SCHEMA_ID], { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } });
  });
  it('an empty string means no manager', () => {
    assert.deepEqual(validateUser(user({ [ENTERPRISE_USER_SCHEMA_ID]: { manager: '' } })).doc, { userName: 'bjensen' });
  });
});

describe('RFC 7644 §3.5.1 replace (PUT)', () => {
  const existing = {
    userName: 'bjensen',
    displayName: 'Babs',
    [ACME_SCHEMA_ID]: { costCode: 'CC1', badgeId: 'B-1', computed: 'server', site: { code: 'S1', label: 'HQ' } },
  };
  const replace: ValidateOptions = { mode: 'replace', existing };
  it('the doc is the full new doc: omitted readWrite attributes are absent', () => {
    const result = validateAcme(acme({ badgeId: 'B-1' }), replace);
    assert.deepEqual(result.doc, {
      userName: 'bjensen',
      [ACME_SCHEMA_ID]: { costCode: 'CC1', badgeId: 'B-1', site: { code: 'S1' }, computed: 'server' },
    });
  });
  it('immutable attributes omitted are kept, readOnly attributes are kept', () => {
    const doc = validateAcme(user(), replace).doc;
    assert.deepEqual(doc[ACME_SCHEMA_ID], { badgeId: 'B-1', site: { code: 'S1' }, computed: 'server' });
  });
  it('a changed immutable attribute is 400 mutability', () => {
    assertScimError(() => validateAcme(acme({ badgeId: 'B-2' }), replace), {
      status: 400,
      scimType: 'mutability',
      detail: `attribute "${ACME_SCHEMA_ID}:badgeId" is immutable`,
    });
  });
  it('a changed immutable sub-attribute is 400 mutability', () => {
    assertScimError(() => validateAcme(acme({ site: { code: 'S2' } }), replace), {
      status: 400,
      scimType: 'mutability',
      detail: `attribute "${ACME_SCHEMA_ID}:site.code" is immutable`,
    });
  });
  it('an unset immutable attribute may be set by a PUT', () => {
    const doc = validateAcme(acme({ badgeId: 'B-9' }), { mode: 'replace', existing: { userName: 'bjensen' } }).doc;
    assert.equal((doc[ACME_SCHEMA_ID] as Record<string, unknown>).badgeId, 'B-9');
  });
  it('on create, immutable attributes are freely set', () => {
    const doc = validateAcme(acme({ badgeId: 'B-2' }), { mode: 'create', existing }).doc;
    assert.equal((doc[ACME_SCHEMA_ID] as Record<string, unknown>).badgeId, 'B-2');
  });
  it('kept values are copies, not shared with the existing doc', () => {
    const doc = validateAcme(user(), replace).doc;
    const ext = doc[ACME_SCHEMA_ID] as Record<string, Record<string, unknown>>;
    assert.notEqual(ext.site, (existing[ACME_SCHEMA_ID] as Record<string, unknown>).site);
  });
});

describe('property: random JSON bodies', () => {
  const keys = [
    'schemas',
    'userName',
    'USERNAME',
    'name',
    'emails',
    'active',
    'password',
    'groups',
    'id',
    'meta',
    'members',
    'displayName',
    '__proto__',
    'constructor',
    'prototype',
    'givenName',
    'value',
    'primary',
    'type',
    ENTERPRISE_USER_SCHEMA_ID,
    `${ENTERPRISE_USER_SCHEMA_ID}:manager`,
    `${ENTERPRISE_USER_SCHEMA_ID}:department`,
    'manager',
    ACME_SCHEMA_ID,
    'level',
    'hired',
    'tier',
    'site',
    'code',
    'costCode',
  ];
  const { value: jsonish } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(null, true, false, 'True', 'false', '', 'x', 0, 1.5, 'TWFu', '2011-08-01T18:29:49Z', USER_SCHEMA_ID, GROUP_SCHEMA_ID),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 6 }),
    ),
  }));
  const body = fc.oneof(
    jsonish,
    fc
      .record({
        schemas: fc.constantFrom([USER_SCHEMA_ID], [GROUP_SCHEMA_ID]),
        rest: fc.dictionary(fc.constantFrom(...keys), jsonish, { maxKeys: 8 }),
      })
      .map(({ schemas, rest }) => ({ ...rest, schemas })),
  );
  const hasProtoKey = (value: unknown): boolean => {
    if (typeof value !== 'object' || value === null) return false;
    if (Object.hasOwn(value, '__proto__') || (!Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype)) return true;
    return Object.values(value).some(hasProtoKey);
  };
  it('never throw anything but ScimError, and never put __proto__ into doc', () => {
    fc.assert(
      fc.property(body, fc.constantFrom('User', 'Group'), fc.boolean(), (generated, resourceType, replace) => {
        // Round-trip through JSON so `__proto__` is an own key, exactly as JSON.parse delivers it.
        const input = JSON.parse(JSON.stringify(generated)) as unknown;
        const options: ValidateOptions = replace
          ? { mode: 'replace', existing: { userName: 'x', [ACME_SCHEMA_ID]: { badgeId: 'B' } } }
          : CREATE;
        try {
          const result = validateResource(acmeRegistry, resourceType, input, options);
          assert.equal(hasProtoKey(result.doc), false);
          assert.equal(({} as Record<string, unknown>).polluted, undefined);
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          assert.equal(error.status, 400);
        }
      }),
      fuzzParameters(2000),
    );
  });
});

describe('docs/profiles.md rejectUnknownAttributes: a schema URI the tenant does not define is 400 invalidSyntax', () => {
  const REJECT: ValidateOptions = { mode: 'create', unknownAttributes: 'reject' };
  const refusedSchema = (error: unknown) => {
    assert.ok(error instanceof ScimError);
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidSyntax');
    assert.match(error.detail, /in "schemas" is not a schema of/);
    return true;
  };
  it("Entra's second group schema URI (docs/entra-id.md), an extension of another type", () => {
    assert.throws(
      () => validateResource(registry, 'Group', group({ schemas: [GROUP_SCHEMA_ID, ENTRA_GROUP_SCHEMA] }), REJECT),
      refusedSchema,
    );
    assert.throws(
      () => validateResource(registry, 'Group', group({ schemas: [GROUP_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID] }), REJECT),
      refusedSchema,
    );
  });
  it('the core schema and an extension of the type pass, in any case (URIs compare without case)', () => {
    const result = validateUser(user({ schemas: [USER_SCHEMA_ID.toUpperCase(), ENTERPRISE_USER_SCHEMA_ID.toLowerCase()] }), REJECT);
    assert.equal(result.doc['userName'], 'bjensen');
  });
});
