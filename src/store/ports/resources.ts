import type { ScimError } from '../../errors/scim-error.ts';
import type { ResolvedFilter } from '../../filter/ast.ts';
import type { ResolvedAttribute } from '../../schema/registry.ts';
import type { MemberDelta, MemberInput, MemberOp, MemberRules, ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { EventBuilder } from './outbox.ts';

/**
 * The resources port: Users and Groups, read and written. Every method is one atomic unit: a
 * write either commits whole or not at all. Stores know nothing of HTTP; they throw ScimError for
 * conditions a client caused (uniqueness, unknown member, stale version, not found) and plain
 * Error for everything else.
 */

export interface Include {
  readonly members?: boolean;
  /** A group's number of direct members, counted (draft-zollner-scim-group-members-01 memberCount). */
  readonly memberCount?: boolean;
  readonly groups?: boolean;
  readonly passwordHash?: boolean;
}

/**
 * One value of a `uniqueness: server` extension attribute, as a key: at most one resource of a
 * type per (tenant, attr, key). A unique index holds it, so two writers can never both win.
 */
export interface UniqueValue {
  /** `<schema URN>:<attribute name>`, canonical case. */
  readonly attr: string;
  /** The value as compared: folded unless caseExact, hashed when long (src/service/unique-values.ts). */
  readonly key: string;
}

export interface CreateCommand {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  readonly doc: Readonly<Record<string, unknown>>;
  readonly passwordHash?: string;
  readonly members?: readonly MemberInput[];
  /** What to do with members that cannot be added as given; absent: LENIENT_MEMBER_RULES. */
  readonly memberRules?: MemberRules;
  /**
   * A group whose displayName another group of the tenant holds (folded) is refused with 409
   * uniqueness (the tenant's opt-in, docs/profiles.md); a user's userName is always unique.
   */
  readonly uniqueName?: boolean;
  /** Keys of the tenant's `uniqueness: server` extension values (see UniqueValue); absent: none. */
  readonly uniqueValues?: readonly UniqueValue[];
  readonly now: string;
  /** Builds the write's outbox events from its outcome, inside its transaction (see EventBuilder). */
  readonly events?: EventBuilder<WriteResult>;
}

/**
 * An update of one resource, computed on it as stored, under its row lock: writers of one
 * resource queue on the lock, so that a change is never computed on a version another writer is
 * replacing, and the resource is read once.
 */
export interface UpdateCommand {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  /**
   * What `change` is given besides the document (a group's members, for a PUT), and what the
   * answer carries: a user's groups as read with it, a group's members as they are after the write
   * (read again only when the write changed them).
   */
  readonly include?: Include;
  /**
   * The change, computed inside the write's transaction on the resource as stored; undefined
   * writes nothing. It may throw a ScimError (a stale If-Match, an invalid change), which rolls
   * the write back. It is pure: PostgreSQL calls it again when it retries the transaction.
   */
  readonly change: (current: StoredResource) => ResourceChange | undefined;
}

export interface ResourceChange {
  /** The new document; undefined keeps the stored one (a members-only change). */
  readonly doc?: Readonly<Record<string, unknown>>;
  /** undefined keeps the stored hash; null clears it. */
  readonly passwordHash?: string | null;
  readonly memberOps?: readonly MemberOp[];
  /** What to do with members that cannot be added as given; absent: LENIENT_MEMBER_RULES. */
  readonly memberRules?: MemberRules;
  /** As CreateCommand.uniqueName, checked when the new doc changes the name. */
  readonly uniqueName?: boolean;
  /** With a new doc: its unique keys replace the stored ones; absent: the stored ones stay. */
  readonly uniqueValues?: readonly UniqueValue[];
  readonly now: string;
  /**
   * Builds the write's outbox events from its outcome (the resource without members or groups),
   * inside its transaction; called only when the write changed something (the version was
   * bumped), never for a no-op.
   */
  readonly events?: EventBuilder<WriteResult>;
}

export interface WriteResult {
  readonly resource: StoredResource;
  readonly memberDelta: MemberDelta;
}

export interface CursorKey {
  /** The sort expression's value at the last row of the page (null when absent, or no sortBy). */
  readonly sortValue: string | number | boolean | null;
  /** The internal row key that makes the order total. */
  readonly rowKey: number;
}

export type Page =
  | { readonly kind: 'index'; readonly startIndex: number; readonly count: number }
  /**
   * Keyset page: rows strictly after `after` (or before `before`), in the query's order. The
   * total is counted only when asked: counting on every page would make a walk quadratic.
   */
  | {
      readonly kind: 'cursor';
      readonly after?: CursorKey;
      readonly before?: CursorKey;
      readonly count: number;
      readonly withTotal: boolean;
    };

/** One resource type a query covers, with the filter and sort attribute resolved for it. */
export interface QueryTarget {
  readonly resourceType: ResourceTypeName;
  readonly filter?: ResolvedFilter;
  readonly sortBy?: ResolvedAttribute;
}

export interface ResourceQuery {
  /** One target for /Users or /Groups; several for a root-level /.search. */
  readonly targets: readonly QueryTarget[];
  readonly descending: boolean;
  readonly page: Page;
  readonly include: Include;
}

export interface QueryResult {
  /** Undefined only for a cursor page that did not ask for it. */
  readonly totalResults: number | undefined;
  readonly resources: readonly StoredResource[];
  /** Keys of the first and last rows of the page, for cursor paging. */
  readonly firstKey: CursorKey | undefined;
  readonly lastKey: CursorKey | undefined;
  /** Whether rows exist after lastKey / before firstKey in the query's order. */
  readonly hasNext: boolean;
  readonly hasPrevious: boolean;
}

/**
 * How a group's streamed read writes its members as JSON text: the sub-attributes a member shows
 * (in the order value, $ref, display, type, as the representation builds a reference), and the
 * JSON text that starts a `$ref` to a user or a group: the opening quote and the escaped URL up
 * to the id. The service decides it once per request; the database writes each member by it.
 */
export interface MemberFormat {
  readonly value: boolean;
  readonly ref: { readonly User: string; readonly Group: string } | undefined;
  readonly display: boolean;
  readonly type: boolean;
}

/**
 * A group and its members, read a chunk at a time in the order they were added, all from one
 * version of the group (a GET of a group of 100,000 members streams them to the socket).
 */
export interface MembersRead {
  /** The group, without members. */
  readonly group: StoredResource;
  /** The JSON text of the next chunk of members (comma-separated objects), undefined when there are no more (the read is then over). */
  next(): Promise<string | undefined>;
  /** Ends the read early, releasing what it holds; harmless after the end. */
  close(): Promise<void>;
}

export interface ResourceStore {
  get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined>;
  query(tenantId: string, query: ResourceQuery): Promise<QueryResult>;
  /** The group `id` with its members to read a chunk at a time; undefined when there is no such group. */
  readMembers(tenantId: string, id: string, format: MemberFormat): Promise<MembersRead | undefined>;
  /**
   * Throws uniqueness (409) for a taken userName (a group displayName with uniqueName),
   * invalidValue for an unknown member or a wrong member type when memberRules refuse them, or a
   * group member that would close a cycle or nest too deep (docs/nested-groups.md).
   */
  create(tenantId: string, command: CreateCommand): Promise<WriteResult>;
  /**
   * Several independent creates in ONE transaction, each in a savepoint of its own, in order: a
   * command the client caused to fail (a ScimError: uniqueness, unknown member) rolls back only
   * its own rows and events and is answered by that error; the others commit together, each with
   * its events exactly as `create` would append them. After `maxFailures` failed commands the
   * rest are not attempted and the answer is shorter than `commands`. Any other error rolls back
   * the whole batch and rejects. What it saves: one commit per resource (bulk creates).
   */
  createMany(tenantId: string, commands: readonly CreateCommand[], maxFailures?: number): Promise<ReadonlyArray<WriteResult | ScimError>>;
  /** Throws notFound, uniqueness, invalidValue, and what `change` throws. */
  update(tenantId: string, command: UpdateCommand): Promise<WriteResult>;
  /**
   * Removes the resource and its memberships; returns what was deleted. Throws notFound,
   * VersionConflictError. `events`, when given, builds the outbox events from the deleted
   * resource (as it was just before the delete, without members/groups) inside the transaction.
   */
  delete(
    tenantId: string,
    resourceType: ResourceTypeName,
    id: string,
    expectedVersion?: number,
    events?: EventBuilder<StoredResource>,
  ): Promise<StoredResource>;
}
