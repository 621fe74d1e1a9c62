import type { ResolvedFilter } from '../../filter/ast.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { CursorKey, Page } from './resources.ts';

/**
 * The memberships port (draft-zollner-scim-group-members-01, docs/group-members.md): the rows of
 * the membership table read as GroupMember resources. Memberships are written by the group's
 * writes (ResourceStore.update with member operations), so that a membership added or removed at
 * /GroupMembers is the same transaction, version bump and events as a PATCH of the group's members.
 */

/** One direct membership, with the current names of its group and member. */
export interface StoredMembership {
  readonly groupId: string;
  readonly groupDisplay: string | undefined;
  readonly memberId: string;
  readonly memberType: ResourceTypeName;
  readonly memberDisplay: string | undefined;
  /** When the member was added (ISO 8601); undefined for memberships stored before migration 90. */
  readonly created: string | undefined;
}

export interface MembershipQuery {
  /** Resolved against the GroupMember schema (src/schema/types/group-member.ts). */
  readonly filter?: ResolvedFilter;
  /**
   * Memberships come in the order they were added; a cursor key's rowKey is that position (its
   * sortValue is null).
   */
  readonly page: Page;
}

export interface MembershipPage {
  /** Undefined only for a cursor page that did not ask for it. */
  readonly totalResults: number | undefined;
  readonly memberships: readonly StoredMembership[];
  readonly firstKey: CursorKey | undefined;
  readonly lastKey: CursorKey | undefined;
  readonly hasNext: boolean;
  readonly hasPrevious: boolean;
}

export interface GroupMemberStore {
  /** A page of the tenant's memberships that match the filter. */
  queryMemberships(tenantId: string, query: MembershipQuery): Promise<MembershipPage>;
  /** The membership of `memberId` in the group `groupId`; undefined when there is none. */
  getMembership(tenantId: string, groupId: string, memberId: string): Promise<StoredMembership | undefined>;
}
