import { attr, type SchemaDefinition } from '../attribute.ts';
import type { ResourceTypeSpec } from './catalogue.ts';

/**
 * GroupMember (draft-zollner-scim-group-members-01): one membership of a group as a resource, so
 * that the members of a huge group are added, removed, filtered and paged without moving the
 * whole list. Its rows are the memberships table's (storage `custom`); helper "members" owns this
 * type and its schema: what is here is the catalogue entry that lets a tenant enable it.
 */

export const GROUP_MEMBER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:GroupMember';

export const GROUP_MEMBER_SCHEMA: SchemaDefinition = {
  id: GROUP_MEMBER_SCHEMA_ID,
  name: 'GroupMember',
  description: 'A member of a group',
  attributes: [
    attr('groupId', 'string', { required: true, caseExact: true, mutability: 'immutable', description: 'The id of the group.' }),
    attr('value', 'string', { required: true, caseExact: true, mutability: 'immutable', description: 'The id of the member.' }),
    attr('type', 'string', { mutability: 'immutable', canonicalValues: ['User', 'Group'], description: 'The type of the member.' }),
    attr('display', 'string', { mutability: 'readOnly', description: 'The name of the member.' }),
  ],
};

export const GROUP_MEMBER_TYPE: ResourceTypeSpec = {
  resourceType: {
    id: 'GroupMember',
    name: 'GroupMember',
    endpoint: '/GroupMembers',
    description: 'A member of a group',
    schema: GROUP_MEMBER_SCHEMA_ID,
    schemaExtensions: [],
  },
  schemas: [GROUP_MEMBER_SCHEMA],
  optional: true,
  storage: 'custom',
  noun: 'groupmember',
  names: ['groupId', 'value'],
};
