import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMON_ATTRIBUTES, SCHEMAS_ATTRIBUTE } from './common.ts';
import { ENTERPRISE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA_ID } from './enterprise-user.ts';
import { GROUP_SCHEMA, GROUP_SCHEMA_ID } from './group.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from './resource-types.ts';
import { USER_SCHEMA, USER_SCHEMA_ID } from './user.ts';

/**
 * The characteristics of every attribute of the core schemas, as RFC 7643 §8.7.1 (User, Group,
 * EnterpriseUser) and §3.1 (common attributes) publish them, with the defaults of §2.2 for what
 * an attribute leaves out. Where scimd departs from §8.7.1 the entry says so and why (the
 * reason is in the docs named). Written out here, not taken from the definitions under test.
 */
type Characteristics = {
  name: string;
  type: string;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: Characteristics[];
  maxLength?: number;
};

/** RFC 7643 §2.2: multiValued false, required false, caseExact false, readWrite, default, none. No description of its own. */
function a(name: string, type: string, more: Partial<Characteristics> = {}): Characteristics {
  return {
    name,
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...more,
  };
}

// docs/limits.md "Indexed attributes": 512 characters for userName, displayName, externalId and the
// value of the indexed multi-valued attributes, 64 for their type.
const NAME = 512;
const VALUE = 512;
const TYPE = 64;

/** §8.7.1's value/display/type/primary of the indexed multi-valued attributes (§2.4). */
function indexedMulti(name: string, types: string[], value: Characteristics, display = true): Characteristics {
  return a(name, 'complex', {
    multiValued: true,
    subAttributes: [
      value,
      ...(display ? [a('display', 'string')] : []),
      a('type', 'string', { canonicalValues: types, maxLength: TYPE }),
      a('primary', 'boolean'),
    ],
  });
}

describe('RFC 7643 §8.7.1 the User schema (urn:ietf:params:scim:schemas:core:2.0:User)', () => {
  it('has the id, name and description of §8.7.1', () => {
    assert.equal(USER_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:User');
    assert.equal(USER_SCHEMA.id, 'urn:ietf:params:scim:schemas:core:2.0:User');
    assert.equal(USER_SCHEMA.name, 'User');
    assert.equal(USER_SCHEMA.description, 'User Account');
  });

  it('lists every attribute of §4.1 with its characteristics, in the order of §8.7.1', () => {
    const expected: Characteristics[] = [
      a('userName', 'string', { required: true, uniqueness: 'server', maxLength: NAME }),
      a('name', 'complex', {
        subAttributes: [
          a('formatted', 'string'),
          a('familyName', 'string'),
          a('givenName', 'string'),
          a('middleName', 'string'),
          a('honorificPrefix', 'string'),
          a('honorificSuffix', 'string'),
        ],
      }),
      a('displayName', 'string', { maxLength: NAME }),
      a('nickName', 'string'),
      a('profileUrl', 'reference', { referenceTypes: ['external'] }),
      a('title', 'string'),
      a('userType', 'string'),
      a('preferredLanguage', 'string'),
      a('locale', 'string'),
      a('timezone', 'string'),
      a('active', 'boolean'),
      a('password', 'string', { mutability: 'writeOnly', returned: 'never' }),
      // Without emails.display (docs/protocol.md: Microsoft's SCIM Validator rejects a schema that has it).
      indexedMulti('emails', ['work', 'home', 'other'], a('value', 'string', { maxLength: VALUE }), false),
      indexedMulti('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other'], a('value', 'string', { maxLength: VALUE })),
      indexedMulti('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'], a('value', 'string', { maxLength: VALUE })),
      indexedMulti('photos', ['photo', 'thumbnail'], a('value', 'reference', { referenceTypes: ['external'], maxLength: VALUE })),
      a('addresses', 'complex', {
        multiValued: true,
        subAttributes: [
          a('formatted', 'string'),
          a('streetAddress', 'string'),
          a('locality', 'string'),
          a('region', 'string'),
          a('postalCode', 'string'),
          a('country', 'string'),
          a('type', 'string', { canonicalValues: ['work', 'home', 'other'] }),
          // §4.1.2 and §2.4: a multi-valued attribute's primary (§8.7.1 leaves it out of addresses).
          a('primary', 'boolean'),
        ],
      }),
      a('groups', 'complex', {
        multiValued: true,
        mutability: 'readOnly',
        subAttributes: [
          a('value', 'string', { mutability: 'readOnly' }),
          a('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
          a('display', 'string', { mutability: 'readOnly' }),
          a('type', 'string', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
        ],
      }),
      indexedMulti('entitlements', [], a('value', 'string', { maxLength: VALUE })),
      indexedMulti('roles', [], a('value', 'string', { maxLength: VALUE })),
      a('x509Certificates', 'complex', {
        multiValued: true,
        subAttributes: [a('value', 'binary'), a('display', 'string'), a('type', 'string'), a('primary', 'boolean')],
      }),
    ];
    assert.deepEqual(
      USER_SCHEMA.attributes.map((x) => x.name),
      expected.map((x) => x.name),
    );
    for (const [i, attribute] of expected.entries()) assert.deepEqual(USER_SCHEMA.attributes[i], attribute, attribute.name);
  });
});

describe('RFC 7643 §8.7.1 the Group schema (urn:ietf:params:scim:schemas:core:2.0:Group)', () => {
  it('has the id, name and description of §8.7.1', () => {
    assert.equal(GROUP_SCHEMA_ID, 'urn:ietf:params:scim:schemas:core:2.0:Group');
    assert.equal(GROUP_SCHEMA.id, GROUP_SCHEMA_ID);
    assert.equal(GROUP_SCHEMA.name, 'Group');
    assert.equal(GROUP_SCHEMA.description, 'Group');
  });

  it('displayName (required, as §4.2 says) and members', () => {
    assert.deepEqual(GROUP_SCHEMA.attributes, [
      a('displayName', 'string', { required: true, maxLength: NAME }),
      a('members', 'complex', {
        multiValued: true,
        subAttributes: [
          // An id is caseExact (§3.1), so is a reference to one (docs/protocol.md: ids keep their case).
          a('value', 'string', { caseExact: true, mutability: 'immutable' }),
          a('$ref', 'reference', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
          // §4.2: "display", the member's name, which the server fills in.
          a('display', 'string', { mutability: 'readOnly' }),
          a('type', 'string', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
        ],
      }),
    ]);
  });
});

describe('RFC 7643 §8.7.1 the enterprise User extension', () => {
  it('has the id, name and description of §8.7.1 and the attributes of §4.3', () => {
    assert.equal(ENTERPRISE_USER_SCHEMA_ID, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    assert.equal(ENTERPRISE_USER_SCHEMA.id, ENTERPRISE_USER_SCHEMA_ID);
    assert.equal(ENTERPRISE_USER_SCHEMA.name, 'EnterpriseUser');
    assert.equal(ENTERPRISE_USER_SCHEMA.description, 'Enterprise User');
    assert.deepEqual(ENTERPRISE_USER_SCHEMA.attributes, [
      a('employeeNumber', 'string'),
      a('costCenter', 'string'),
      a('organization', 'string'),
      a('division', 'string'),
      a('department', 'string'),
      a('manager', 'complex', {
        subAttributes: [
          // The manager's id: caseExact as every id (§3.1).
          a('value', 'string', { caseExact: true }),
          a('$ref', 'reference', { referenceTypes: ['User'] }),
          a('displayName', 'string', { mutability: 'readOnly' }),
        ],
      }),
    ]);
  });
});

describe('RFC 7643 §3.1 common attributes and schemas', () => {
  it('id, externalId and meta', () => {
    assert.deepEqual(COMMON_ATTRIBUTES, [
      a('id', 'string', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
      a('externalId', 'string', { caseExact: true, maxLength: NAME }),
      a('meta', 'complex', {
        mutability: 'readOnly',
        subAttributes: [
          a('resourceType', 'string', { caseExact: true, mutability: 'readOnly' }),
          a('created', 'dateTime', { mutability: 'readOnly' }),
          a('lastModified', 'dateTime', { mutability: 'readOnly' }),
          a('location', 'reference', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
          a('version', 'string', { caseExact: true, mutability: 'readOnly' }),
        ],
      }),
    ]);
  });

  it('schemas: multi-valued URIs, always returned (§3)', () => {
    assert.deepEqual(
      SCHEMAS_ATTRIBUTE,
      a('schemas', 'reference', {
        multiValued: true,
        caseExact: true,
        mutability: 'readOnly',
        returned: 'always',
        referenceTypes: ['uri'],
      }),
    );
  });
});

describe('RFC 7643 §6 and §8.7.2 the User and Group resource types', () => {
  it('User at /Users with the enterprise extension, not required', () => {
    assert.deepEqual(USER_RESOURCE_TYPE, {
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
      schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
    });
  });
  it('Group at /Groups without extensions', () => {
    assert.deepEqual(GROUP_RESOURCE_TYPE, {
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: 'urn:ietf:params:scim:schemas:core:2.0:Group',
      schemaExtensions: [],
    });
  });
});
