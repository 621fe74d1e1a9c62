import { attr, type ResourceTypeDefinition, type SchemaDefinition } from '../attribute.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * draft-zollner-scim-group-members-01 (docs/group-members.md): each direct membership of a group as
 * a resource of its own at /GroupMembers, so that a client adds, removes, filters and pages
 * through the members of a group of a million without moving the list; and `membersMetadata` on
 * the Group, which tells clients so. Both are data here; a tenant that enabled GroupMembers has
 * them in its registry (GROUP_MEMBER_TYPE, catalogue.ts), and no other tenant sees them. The
 * memberships are the rows of the membership table (storage `custom`: src/store/sql/group-members.ts).
 */

export const GROUP_MEMBER_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:GroupMember';
export const GROUP_MEMBERS_EXTENSION_ID = 'urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group';
export const GROUP_MEMBER_TYPE_NAME = 'GroupMember';
export const GROUP_MEMBERS_ENDPOINT = 'GroupMembers';

/** A reference's readOnly sub-attributes (the server fills them); `value` is what a client gives. */
const readOnly = { mutability: 'readOnly' } as const;

/**
 * The draft's §8.1. `group` and `member` are immutable: a membership is created or deleted, never
 * changed (§6), so /GroupMembers answers POST, GET and DELETE only.
 */
export const GROUP_MEMBER_SCHEMA: SchemaDefinition = {
  id: GROUP_MEMBER_SCHEMA_ID,
  name: 'Group Member',
  description: 'One direct membership of a group: the group and its member.',
  attributes: [
    attr('group', 'complex', {
      required: true,
      mutability: 'immutable',
      description: 'The group the member belongs to.',
      subAttributes: [
        attr('value', 'string', { required: true, caseExact: true, mutability: 'immutable', description: 'The id of the group.' }),
        attr('$ref', 'reference', { ...readOnly, referenceTypes: ['Group'], description: 'The URI of the group.' }),
        attr('display', 'string', { ...readOnly, description: 'The displayName of the group.' }),
      ],
    }),
    attr('member', 'complex', {
      required: true,
      mutability: 'immutable',
      description: 'The member: a user or a group.',
      subAttributes: [
        attr('value', 'string', { required: true, caseExact: true, mutability: 'immutable', description: 'The id of the member.' }),
        attr('$ref', 'reference', { ...readOnly, referenceTypes: ['User', 'Group'], description: 'The URI of the member.' }),
        attr('type', 'string', { ...readOnly, canonicalValues: ['User', 'Group'], description: 'The resource type of the member.' }),
        attr('display', 'string', { ...readOnly, description: "The member's displayName, else its userName." }),
      ],
    }),
  ],
};

/** The draft's §4.3. */
export const GROUP_MEMBER_RESOURCE_TYPE: ResourceTypeDefinition = {
  id: GROUP_MEMBER_TYPE_NAME,
  name: GROUP_MEMBER_TYPE_NAME,
  endpoint: `/${GROUP_MEMBERS_ENDPOINT}`,
  description: 'One direct membership of a group (draft-zollner-scim-group-members-01).',
  schema: GROUP_MEMBER_SCHEMA_ID,
  schemaExtensions: [],
};

/** The draft's §8.2: read-only metadata the server reports on each group. */
export const GROUP_MEMBERS_EXTENSION_SCHEMA: SchemaDefinition = {
  id: GROUP_MEMBERS_EXTENSION_ID,
  name: 'GroupMembersMetadata',
  description: "How a group's members are managed, and where to page through them.",
  attributes: [
    attr('membersMetadata', 'complex', {
      ...readOnly,
      description: "How this group's members are managed.",
      subAttributes: [
        attr('policy', 'string', {
          ...readOnly,
          required: true,
          canonicalValues: ['inline', 'external', 'hybrid'],
          description: 'Where the members are: inline in members, external at /GroupMembers only, or hybrid (both).',
        }),
        attr('ref', 'reference', {
          ...readOnly,
          required: true,
          referenceTypes: ['uri'],
          description: "/GroupMembers filtered on this group: where to page through the group's members.",
        }),
        // Counted only when a client asks for it (docs/group-members.md): a group read stays free.
        attr('memberCount', 'integer', { ...readOnly, returned: 'request', description: 'How many members the group has.' }),
        attr('allowedMemberTypes', 'string', {
          ...readOnly,
          multiValued: true,
          caseExact: true,
          description: 'The resource types a member of this group may have.',
        }),
      ],
    }),
  ],
};

/**
 * The catalogue's entry. Enabled, it adds membersMetadata to Group (`extends`). Its writes are the
 * group's (`scim.group.members.added|removed`): the noun names no event of its own.
 */
export const GROUP_MEMBER_TYPE: ResourceTypeSpec = {
  resourceType: GROUP_MEMBER_RESOURCE_TYPE,
  schemas: [GROUP_MEMBER_SCHEMA],
  extends: [{ resourceType: 'Group', schema: GROUP_MEMBERS_EXTENSION_SCHEMA }],
  optional: true,
  storage: 'custom',
  noun: 'groupmember',
  names: ['group', 'member'],
};

/**
 * What separates the group's id from the member's in a GroupMember's id: not a character of the
 * UUIDs scimd gives resources, and unreserved in a URL (RFC 3986 §2.3), so an id needs no escaping.
 */
export const MEMBERSHIP_ID_SEPARATOR = '~';

/**
 * A GroupMember's id (draft §4.1: stable, and naming the relationship between one group and one
 * member): the group's id and the member's. The same pair has the same id whenever it exists, and
 * no other pair ever has it, so an id a client kept can never delete another membership.
 */
export function membershipId(groupId: string, memberId: string): string {
  return `${groupId}${MEMBERSHIP_ID_SEPARATOR}${memberId}`;
}

/** The group's and the member's ids of a GroupMember's id; undefined for text that is not one. */
export function membershipIdParts(id: string): { groupId: string; memberId: string } | undefined {
  const parts = id.split(MEMBERSHIP_ID_SEPARATOR);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { groupId: parts[0]!, memberId: parts[1]! };
}
