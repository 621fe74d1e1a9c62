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
 * an attribute leaves out, and §8.7.1's description of each attribute word for word (§7: "When
 * applicable, service providers MUST specify the description"). Where scimd departs from §8.7.1
 * the entry says so and why (the reason is in the docs named). Written out here, not taken from
 * the definitions under test.
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

/** RFC 7643 §2.2: multiValued false, required false, caseExact false, readWrite, default, none. */
function a(name: string, type: string, description: string, more: Partial<Characteristics> = {}): Characteristics {
  return {
    name,
    type,
    multiValued: false,
    description,
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

// §8.7.1's descriptions that several multi-valued attributes share.
const DISPLAY = 'A human-readable name, primarily used for display purposes.  READ-ONLY.';
const FUNCTION = "A label indicating the attribute's function.";
const PRIMARY =
  "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.";

/** §8.7.1's value/display/type/primary of the indexed multi-valued attributes (§2.4). */
function indexedMulti(
  name: string,
  description: string,
  types: string[],
  sub: { value: Characteristics; type: string; primary: string },
  display = true,
): Characteristics {
  return a(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      sub.value,
      ...(display ? [a('display', 'string', DISPLAY)] : []),
      a('type', 'string', sub.type, { canonicalValues: types, maxLength: TYPE }),
      a('primary', 'boolean', sub.primary),
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
    const emails =
      "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.";
    const expected: Characteristics[] = [
      a(
        'userName',
        'string',
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
        { required: true, uniqueness: 'server', maxLength: NAME },
      ),
      a(
        'name',
        'complex',
        "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.",
        {
          subAttributes: [
            a(
              'formatted',
              'string',
              "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
            ),
            a(
              'familyName',
              'string',
              "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            a(
              'givenName',
              'string',
              "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            a('middleName', 'string', "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
            a(
              'honorificPrefix',
              'string',
              "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
            ),
            a(
              'honorificSuffix',
              'string',
              "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
            ),
          ],
        },
      ),
      a(
        'displayName',
        'string',
        'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
        { maxLength: NAME },
      ),
      a(
        'nickName',
        'string',
        "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
      ),
      a('profileUrl', 'reference', "A fully qualified URL pointing to a page representing the User's online profile.", {
        referenceTypes: ['external'],
      }),
      a('title', 'string', 'The user\'s title, such as "Vice President."'),
      a(
        'userType',
        'string',
        "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
      ),
      a(
        'preferredLanguage',
        'string',
        "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
      ),
      a(
        'locale',
        'string',
        "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
      ),
      a('timezone', 'string', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
      a('active', 'boolean', "A Boolean value indicating the User's administrative status."),
      a(
        'password',
        'string',
        "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
        { mutability: 'writeOnly', returned: 'never' },
      ),
      // Without emails.display (docs/protocol.md: Microsoft's SCIM Validator rejects a schema that has it).
      indexedMulti(
        'emails',
        emails,
        ['work', 'home', 'other'],
        {
          value: a('value', 'string', emails, { maxLength: VALUE }),
          type: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          primary:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
        },
        false,
      ),
      indexedMulti(
        'phoneNumbers',
        "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
        ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
        {
          value: a('value', 'string', 'Phone number of the User.', { maxLength: VALUE }),
          type: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
          primary:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once.",
        },
      ),
      indexedMulti('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'], {
        value: a('value', 'string', 'Instant messaging address for the User.', { maxLength: VALUE }),
        type: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
        primary:
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once.",
      }),
      indexedMulti('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], {
        value: a('value', 'reference', 'URL of a photo of the User.', { referenceTypes: ['external'], maxLength: VALUE }),
        type: "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
        primary:
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once.",
      }),
      a(
        'addresses',
        'complex',
        "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.",
        {
          multiValued: true,
          subAttributes: [
            a(
              'formatted',
              'string',
              'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.',
            ),
            a(
              'streetAddress',
              'string',
              'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
            ),
            a('locality', 'string', 'The city or locality component.'),
            a('region', 'string', 'The state or region component.'),
            a('postalCode', 'string', 'The zip code or postal code component.'),
            a('country', 'string', 'The country name component.'),
            a('type', 'string', "A label indicating the attribute's function, e.g., 'work' or 'home'.", {
              canonicalValues: ['work', 'home', 'other'],
            }),
            // §4.1.2 and §2.4: a multi-valued attribute's primary (§8.7.1 leaves it out of addresses,
            // so it has the description §8.7.1 gives the primary of entitlements, roles and x509Certificates).
            a('primary', 'boolean', PRIMARY),
          ],
        },
      ),
      a(
        'groups',
        'complex',
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
        {
          multiValued: true,
          mutability: 'readOnly',
          subAttributes: [
            a('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
            a('$ref', 'reference', "The URI of the corresponding 'Group' resource to which the user belongs.", {
              mutability: 'readOnly',
              referenceTypes: ['User', 'Group'],
            }),
            a('display', 'string', DISPLAY, { mutability: 'readOnly' }),
            a('type', 'string', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
              mutability: 'readOnly',
              canonicalValues: ['direct', 'indirect'],
            }),
          ],
        },
      ),
      indexedMulti('entitlements', 'A list of entitlements for the User that represent a thing the User has.', [], {
        value: a('value', 'string', 'The value of an entitlement.', { maxLength: VALUE }),
        type: FUNCTION,
        primary: PRIMARY,
      }),
      indexedMulti('roles', "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", [], {
        value: a('value', 'string', 'The value of a role.', { maxLength: VALUE }),
        type: FUNCTION,
        primary: PRIMARY,
      }),
      a('x509Certificates', 'complex', 'A list of certificates issued to the User.', {
        multiValued: true,
        subAttributes: [
          a('value', 'binary', 'The value of an X.509 certificate.'),
          a('display', 'string', DISPLAY),
          a('type', 'string', FUNCTION),
          a('primary', 'boolean', PRIMARY),
        ],
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
      a('displayName', 'string', 'A human-readable name for the Group. REQUIRED.', { required: true, maxLength: NAME }),
      a('members', 'complex', 'A list of members of the Group.', {
        multiValued: true,
        subAttributes: [
          // An id is caseExact (§3.1), so is a reference to one (docs/protocol.md: ids keep their case).
          a('value', 'string', 'Identifier of the member of this Group.', { caseExact: true, mutability: 'immutable' }),
          a('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
            mutability: 'immutable',
            referenceTypes: ['User', 'Group'],
          }),
          // §4.2: "display", the member's name, which the server fills in. §8.7.1 leaves it out of
          // members, so it has the description §8.7.1 gives every other display.
          a('display', 'string', DISPLAY, { mutability: 'readOnly' }),
          a('type', 'string', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
            mutability: 'immutable',
            canonicalValues: ['User', 'Group'],
          }),
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
      a(
        'employeeNumber',
        'string',
        'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
      ),
      a('costCenter', 'string', 'Identifies the name of a cost center.'),
      a('organization', 'string', 'Identifies the name of an organization.'),
      a('division', 'string', 'Identifies the name of a division.'),
      a('department', 'string', 'Identifies the name of a department.'),
      a(
        'manager',
        'complex',
        "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
        {
          subAttributes: [
            // The manager's id: caseExact as every id (§3.1).
            a('value', 'string', "The id of the SCIM resource representing the User's manager.  REQUIRED.", { caseExact: true }),
            a('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.  REQUIRED.", {
              referenceTypes: ['User'],
            }),
            a('displayName', 'string', "The displayName of the User's manager. OPTIONAL and READ-ONLY.", { mutability: 'readOnly' }),
          ],
        },
      ),
    ]);
  });
});

describe('RFC 7643 §3.1 common attributes and schemas', () => {
  // No description: /Schemas does not publish them (they belong to no schema), and §8.7.1 has none.
  it('id, externalId and meta', () => {
    assert.deepEqual(COMMON_ATTRIBUTES, [
      a('id', 'string', '', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
      a('externalId', 'string', '', { caseExact: true, maxLength: NAME }),
      a('meta', 'complex', '', {
        mutability: 'readOnly',
        subAttributes: [
          a('resourceType', 'string', '', { caseExact: true, mutability: 'readOnly' }),
          a('created', 'dateTime', '', { mutability: 'readOnly' }),
          a('lastModified', 'dateTime', '', { mutability: 'readOnly' }),
          a('location', 'reference', '', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
          a('version', 'string', '', { caseExact: true, mutability: 'readOnly' }),
        ],
      }),
    ]);
  });

  it('schemas: multi-valued URIs, always returned (§3)', () => {
    assert.deepEqual(
      SCHEMAS_ATTRIBUTE,
      a('schemas', 'reference', '', {
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
