import { attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH } from '../lengths.ts';
import { DISPLAY } from './descriptions.ts';

export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/**
 * RFC 7643 §4.2 and §8.7.1, each attribute with §8.7.1's description. `members` lives in the
 * membership table, never in the group document.
 */
export const GROUP_SCHEMA: SchemaDefinition = {
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', {
      description: 'A human-readable name for the Group. REQUIRED.',
      required: true,
      maxLength: MAX_NAME_LENGTH,
    }),
    attr('members', 'complex', {
      description: 'A list of members of the Group.',
      multiValued: true,
      subAttributes: [
        attr('value', 'string', { description: 'Identifier of the member of this Group.', caseExact: true, mutability: 'immutable' }),
        attr('$ref', 'reference', {
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
        }),
        // §4.2's display, which §8.7.1 leaves out of members: the description §8.7.1 gives every other display.
        attr('display', 'string', { description: DISPLAY, mutability: 'readOnly' }),
        attr('type', 'string', {
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
    }),
  ],
};
