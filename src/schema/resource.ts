/**
 * The domain's resources as the rest of the code passes them around: what a User or Group is
 * once stored, and how group membership changes are spoken of. The store persists these, the
 * PATCH engine and the validator produce them, the event builder and the representation read
 * them; none of those layers defines them.
 */

import { specAt } from './types/catalogue.ts';

/**
 * A resource type's name (RFC 7643 §6 ResourceType.name): User, Group, or one of the optional
 * types of the catalogue (src/schema/types/catalogue.ts: Role, Entitlement, Agent, Device, …).
 */
export type ResourceTypeName = string;

/** A resource type's endpoint below the base URL, without its slash (`Users`, `Roles`: catalogue.ts endpointOf). */
export type ResourceEndpoint = string;

/** The two types every tenant has, kept in tables of their own with memberships and a values index. */
export type BuiltInTypeName = 'User' | 'Group';

/**
 * The resource type an endpoint (`Users`, `Roles`, in any case: clients send `/users`, and the
 * HTTP routes take endpoint names in any case too) serves; undefined for any other name. Whether
 * a tenant has it enabled is its registry's to say.
 */
export function resourceTypeOf(endpoint: string): ResourceTypeName | undefined {
  return specAt(endpoint)?.resourceType.name;
}

/** A member or group reference as read back, with the current name of what it points to. */
export interface ReferenceView {
  readonly value: string;
  readonly type: string;
  readonly resourceType: ResourceTypeName;
  readonly display: string | undefined;
}

export interface StoredResource {
  readonly id: string;
  readonly resourceType: ResourceTypeName;
  /**
   * The resource's attributes in canonical form (canonical attribute names, extension attributes
   * under their schema URN) without id, schemas, meta, password, Group.members or User.groups.
   */
  readonly doc: Readonly<Record<string, unknown>>;
  readonly version: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly created: string;
  readonly lastModified: string;
  /** Group members, only when asked for (include.members). */
  readonly members?: readonly ReferenceView[];
  /** How many direct members a group has, only when asked for (include.memberCount). */
  readonly memberCount?: number;
  /**
   * A user's groups, only when asked for (include.groups): type "direct" for the groups it is a
   * member of, "indirect" for the groups that contain those through nested groups.
   */
  readonly groups?: readonly ReferenceView[];
  /** Only when asked for (include.passwordHash); never leaves the service layer. */
  readonly passwordHash?: string | undefined;
}

/** A member to add; the store checks the id exists in the tenant and records its real type. */
export interface MemberInput {
  readonly value: string;
  /** As the client said, when it did; the store checks it against the resource (MemberRules.wrongType). */
  readonly type?: string;
}

/**
 * What a write does with the members it cannot add as given (docs/profiles.md): an id that no
 * resource of the tenant has (a user deleted out of band, another tenant's id), and a `type` that
 * contradicts what the id is.
 */
export interface MemberRules {
  /** `skip`: the known members are added and the others reported (MemberDelta.skipped); `refuse`: 400 invalidValue naming them. */
  readonly unknown: 'skip' | 'refuse';
  /** `correct`: the member is recorded with its true type; `refuse`: 400 invalidValue. */
  readonly wrongType: 'correct' | 'refuse';
}

/** The lenient profile's rules, a write's when it names none. */
export const LENIENT_MEMBER_RULES: MemberRules = Object.freeze({ unknown: 'skip', wrongType: 'correct' });

/** Membership changes, applied in order in the write's transaction: O(changed members). */
export type MemberOp =
  | { readonly kind: 'add'; readonly members: readonly MemberInput[] }
  | { readonly kind: 'remove'; readonly values: readonly string[] }
  | { readonly kind: 'removeAll' };

/** What a write did to a group's members. */
export interface MemberDelta {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Those of `added` and `removed` that are groups (nested groups); absent when none are. */
  readonly groups?: readonly string[];
  /** Ids the write was asked to add that no resource of the tenant has, skipped (MemberRules.unknown); absent when none were. */
  readonly skipped?: readonly string[];
}
