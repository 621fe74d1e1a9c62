import { type AttributeDefinition, attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH, MAX_TYPE_LENGTH, MAX_VALUE_LENGTH } from '../lengths.ts';
import { DISPLAY, PRIMARY, TYPE } from './descriptions.ts';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** §8.7.1's descriptions of the value, type and primary of one multi-valued attribute. */
interface SubAttributeDescriptions {
  readonly value: string;
  readonly type: string;
  readonly primary: string;
}

/**
 * value/display/type/primary of RFC 7643 §2.4, with the type's canonical values. The attributes
 * built with it are the ones the values index holds (value and type), hence their lengths.
 */
function multiValuedSubAttributes(
  types: readonly string[],
  text: SubAttributeDescriptions,
  valueType: 'string' | 'reference' = 'string',
  withDisplay = true,
) {
  return [
    attr('value', valueType, {
      description: text.value,
      maxLength: MAX_VALUE_LENGTH,
      ...(valueType === 'reference' ? { referenceTypes: ['external'] } : {}),
    }),
    ...(withDisplay ? [attr('display', 'string', { description: DISPLAY })] : []),
    attr('type', 'string', { description: text.type, canonicalValues: types, maxLength: MAX_TYPE_LENGTH }),
    attr('primary', 'boolean', { description: text.primary }),
  ];
}

const multi = (name: string, description: string, subAttributes: readonly AttributeDefinition[]) =>
  attr(name, 'complex', { multiValued: true, description, subAttributes });

// §8.7.1 gives emails and emails.value the same description.
const EMAILS =
  "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.";

/** RFC 7643 §4.1 and §8.7.1, each attribute with §8.7.1's description (§7: service providers MUST give one). */
export const USER_SCHEMA: SchemaDefinition = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', {
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      required: true,
      uniqueness: 'server',
      maxLength: MAX_NAME_LENGTH,
    }),
    attr('name', 'complex', {
      description:
        "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.",
      subAttributes: [
        attr('formatted', 'string', {
          description:
            "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
        }),
        attr('familyName', 'string', {
          description:
            "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attr('givenName', 'string', {
          description:
            "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attr('middleName', 'string', {
          description: "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attr('honorificPrefix', 'string', {
          description:
            "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attr('honorificSuffix', 'string', {
          description:
            "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
        }),
      ],
    }),
    attr('displayName', 'string', {
      description:
        'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
      maxLength: MAX_NAME_LENGTH,
    }),
    attr('nickName', 'string', {
      description:
        "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
    }),
    attr('profileUrl', 'reference', {
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
      referenceTypes: ['external'],
    }),
    attr('title', 'string', { description: 'The user\'s title, such as "Vice President."' }),
    attr('userType', 'string', {
      description:
        "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    }),
    attr('preferredLanguage', 'string', {
      description:
        "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    }),
    attr('locale', 'string', {
      description:
        "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    }),
    attr('timezone', 'string', {
      description: "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    }),
    attr('active', 'boolean', { description: "A Boolean value indicating the User's administrative status." }),
    attr('password', 'string', {
      description:
        "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    // emails.display is left out: Microsoft's SCIM Validator rejects schemas that advertise it.
    multi(
      'emails',
      EMAILS,
      multiValuedSubAttributes(
        ['work', 'home', 'other'],
        {
          value: EMAILS,
          type: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          primary:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
        },
        'string',
        false,
      ),
    ),
    multi(
      'phoneNumbers',
      "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      multiValuedSubAttributes(['work', 'home', 'mobile', 'fax', 'pager', 'other'], {
        value: 'Phone number of the User.',
        type: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
        primary:
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once.",
      }),
    ),
    multi(
      'ims',
      'Instant messaging addresses for the User.',
      multiValuedSubAttributes(['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'], {
        value: 'Instant messaging address for the User.',
        type: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
        primary:
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once.",
      }),
    ),
    multi(
      'photos',
      'URLs of photos of the User.',
      multiValuedSubAttributes(
        ['photo', 'thumbnail'],
        {
          value: 'URL of a photo of the User.',
          type: "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
          primary:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once.",
        },
        'reference',
      ),
    ),
    multi(
      'addresses',
      "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.",
      [
        attr('formatted', 'string', {
          description: 'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.',
        }),
        attr('streetAddress', 'string', {
          description:
            'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
        }),
        attr('locality', 'string', { description: 'The city or locality component.' }),
        attr('region', 'string', { description: 'The state or region component.' }),
        attr('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attr('country', 'string', { description: 'The country name component.' }),
        attr('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        // §8.7.1 has no addresses.primary (§2.4 and §4.1.2 do): it gets §8.7.1's primary without an example.
        attr('primary', 'boolean', { description: PRIMARY }),
      ],
    ),
    attr('groups', 'complex', {
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        attr('value', 'string', { description: "The identifier of the User's group.", mutability: 'readOnly' }),
        attr('$ref', 'reference', {
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          mutability: 'readOnly',
          referenceTypes: ['User', 'Group'],
        }),
        attr('display', 'string', { description: DISPLAY, mutability: 'readOnly' }),
        attr('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
          mutability: 'readOnly',
          canonicalValues: ['direct', 'indirect'],
        }),
      ],
    }),
    multi(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      multiValuedSubAttributes([], { value: 'The value of an entitlement.', type: TYPE, primary: PRIMARY }),
    ),
    multi(
      'roles',
      "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      multiValuedSubAttributes([], { value: 'The value of a role.', type: TYPE, primary: PRIMARY }),
    ),
    multi('x509Certificates', 'A list of certificates issued to the User.', [
      attr('value', 'binary', { description: 'The value of an X.509 certificate.' }),
      attr('display', 'string', { description: DISPLAY }),
      attr('type', 'string', { description: TYPE }),
      attr('primary', 'boolean', { description: PRIMARY }),
    ]),
  ],
};
