import type { ResolvedFilter } from '../filter/ast.ts';
import type { ResolvedAttribute } from '../schema/registry.ts';

/**
 * The storage port. Every method is one atomic unit: a write either commits whole or not at all.
 * Stores know nothing of HTTP; they throw ScimError for conditions a client caused (uniqueness,
 * unknown member, stale version, not found) and plain Error for everything else.
 */

export type ResourceTypeName = 'User' | 'Group';

export interface TenantRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface TokenRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly label: string | undefined;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export interface NewToken {
  readonly id: string;
  readonly tenantId: string;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  readonly hash: string;
  readonly label?: string;
  readonly expiresAt?: string;
  readonly createdAt: string;
}

export interface TenantStore {
  /** Throws uniqueness (409) when the name is taken. */
  createTenant(tenant: TenantRecord): Promise<TenantRecord>;
  listTenants(): Promise<readonly TenantRecord[]>;
  findTenantByName(name: string): Promise<TenantRecord | undefined>;
  createToken(token: NewToken): Promise<TokenRecord>;
  /** The token with this hash (revoked and expired ones too: the caller decides). */
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(tenantId?: string): Promise<readonly TokenRecord[]>;
  /** False when no such token exists. */
  revokeToken(id: string, at: string): Promise<boolean>;
  touchToken(id: string, at: string): Promise<void>;
}

/** A member as stored: the id and the type of the resource it points to. */
export interface MemberRef {
  readonly value: string;
  readonly type: ResourceTypeName;
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
  /** A user's groups (type "direct"), only when asked for (include.groups). */
  readonly groups?: readonly ReferenceView[];
  /** Only when asked for (include.passwordHash); never leaves the service layer. */
  readonly passwordHash?: string | undefined;
}

export interface Include {
  readonly members?: boolean;
  readonly groups?: boolean;
  readonly passwordHash?: boolean;
}

/** Membership changes, applied in order in the write's transaction: O(changed members). */
export type MemberOp =
  | { readonly kind: 'add'; readonly members: readonly MemberInput[] }
  | { readonly kind: 'remove'; readonly values: readonly string[] }
  | { readonly kind: 'removeAll' };

/** A member to add; the store checks the id exists in the tenant and records its real type. */
export interface MemberInput {
  readonly value: string;
  /** As the client said, when it did; the store refuses a type that contradicts the resource. */
  readonly type?: string;
}

export interface MemberDelta {
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface CreateCommand {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  readonly doc: Readonly<Record<string, unknown>>;
  readonly passwordHash?: string;
  readonly members?: readonly MemberInput[];
  readonly now: string;
}

export interface UpdateCommand {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  /** Write only if the stored version is still this one; else VersionConflictError. */
  readonly expectedVersion: number;
  /** The new document; undefined keeps the stored one (a members-only change). */
  readonly doc?: Readonly<Record<string, unknown>>;
  /** undefined keeps the stored hash; null clears it. */
  readonly passwordHash?: string | null;
  readonly memberOps?: readonly MemberOp[];
  readonly now: string;
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

export interface ResourceStore {
  get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined>;
  query(tenantId: string, query: ResourceQuery): Promise<QueryResult>;
  /** Throws uniqueness (409) for a taken userName / group displayName, invalidValue for an unknown member. */
  create(tenantId: string, command: CreateCommand): Promise<WriteResult>;
  /** Throws notFound, VersionConflictError, uniqueness, invalidValue. */
  update(tenantId: string, command: UpdateCommand): Promise<WriteResult>;
  /** Removes the resource and its memberships; returns what was deleted. Throws notFound, VersionConflictError. */
  delete(tenantId: string, resourceType: ResourceTypeName, id: string, expectedVersion?: number): Promise<StoredResource>;
}

export interface StoreCapabilities {
  readonly dialect: string;
}

export interface Store extends ResourceStore, TenantStore {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; safe to call on every start. Returns the versions applied. */
  migrate(): Promise<readonly number[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
