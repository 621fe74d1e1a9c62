import { type AttributeDefinition, attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH, MAX_TYPE_LENGTH, MAX_VALUE_LENGTH } from '../lengths.ts';

export const USER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:User';

/**
 * value/display/type/primary of RFC 7643 §2.4, with the type's canonical values. The attributes
 * built with it are the ones the values index holds (value and type), hence their lengths.
 */
function multiValuedSubAttributes(types: readonly string[], valueType: 'string' | 'reference' = 'string', withDisplay = true) {
  return [
    attr('value', valueType, { maxLength: MAX_VALUE_LENGTH, ...(valueType === 'reference' ? { referenceTypes: ['external'] } : {}) }),
    ...(withDisplay ? [attr('display', 'string')] : []),
    attr('type', 'string', { canonicalValues: types, maxLength: MAX_TYPE_LENGTH }),
    attr('primary', 'boolean'),
  ];
}

const multi = (name: string, subAttributes: readonly AttributeDefinition[]) => attr(name, 'complex', { multiValued: true, subAttributes });

/** RFC 7643 §4.1 and §8.7.1. */
export const USER_SCHEMA: SchemaDefinition = {
  id: USER_SCHEMA_ID,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', { required: true, uniqueness: 'server', maxLength: MAX_NAME_LENGTH }),
    attr('name', 'complex', {
      subAttributes: [
        attr('formatted', 'string'),
        attr('familyName', 'string'),
        attr('givenName', 'string'),
        attr('middleName', 'string'),
        attr('honorificPrefix', 'string'),
        attr('honorificSuffix', 'string'),
      ],
    }),
    attr('displayName', 'string', { maxLength: MAX_NAME_LENGTH }),
    attr('nickName', 'string'),
    attr('profileUrl', 'reference', { referenceTypes: ['external'] }),
    attr('title', 'string'),
    attr('userType', 'string'),
    attr('preferredLanguage', 'string'),
    attr('locale', 'string'),
    attr('timezone', 'string'),
    attr('active', 'boolean'),
    attr('password', 'string', { mutability: 'writeOnly', returned: 'never' }),
    // emails.display is left out: Microsoft's SCIM Validator rejects schemas that advertise it.
    multi('emails', multiValuedSubAttributes(['work', 'home', 'other'], 'string', false)),
    multi('phoneNumbers', multiValuedSubAttributes(['work', 'home', 'mobile', 'fax', 'pager', 'other'])),
    multi('ims', multiValuedSubAttributes(['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'])),
    multi('photos', multiValuedSubAttributes(['photo', 'thumbnail'], 'reference')),
    multi('addresses', [
      attr('formatted', 'string'),
      attr('streetAddress', 'string'),
      attr('locality', 'string'),
      attr('region', 'string'),
      attr('postalCode', 'string'),
      attr('country', 'string'),
      attr('type', 'string', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean'),
    ]),
    attr('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        attr('value', 'string', { mutability: 'readOnly' }),
        attr('$ref', 'reference', { mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { mutability: 'readOnly' }),
        attr('type', 'string', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
      ],
    }),
    multi('entitlements', multiValuedSubAttributes([])),
    multi('roles', multiValuedSubAttributes([])),
    multi('x509Certificates', [attr('value', 'binary'), attr('display', 'string'), attr('type', 'string'), attr('primary', 'boolean')]),
  ],
};
