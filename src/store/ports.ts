import type { ScimError } from '../errors/scim-error.ts';
import type { ResolvedFilter } from '../filter/ast.ts';
import type { TenantExtension } from '../schema/custom.ts';
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
  /** Set while the tenant is disabled (its SCIM tokens are refused); absent when enabled. */
  readonly disabledAt?: string;
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
  /** When the token's tenant is disabled: since when (absent when it is enabled). */
  readonly tenantDisabledAt?: string;
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
  findTokenById(id: string): Promise<TokenRecord | undefined>;
  /**
   * Makes a live token expire at `at` at the latest (an earlier expiry is kept): the old token of
   * a rotation. Returns the token as stored after the change; undefined when no such token.
   */
  expireToken(id: string, at: string): Promise<TokenRecord | undefined>;
  /** `at` disables the tenant (an already disabled one keeps its time), null enables it. False when no such tenant. */
  setTenantDisabled(id: string, at: string | null): Promise<boolean>;
  /**
   * Deletes the tenant and everything it owns (resources, memberships, values index, outbox and
   * delivery state, tokens, and any table keyed to tenants with ON DELETE CASCADE) in one
   * transaction. Audit entries are kept. Undefined when no such tenant.
   */
  deleteTenant(id: string): Promise<DeletedTenant | undefined>;
}

/** What a tenant deletion removed. */
export interface DeletedTenant {
  readonly resources: number;
  readonly tokens: number;
  readonly events: number;
}

// ---- administration: admin tokens and the audit log (docs/administration.md) ----------------

/** A token of the admin API (/admin): not bound to a tenant, never valid as a SCIM token. */
export interface AdminTokenRecord {
  readonly id: string;
  readonly label: string | undefined;
  readonly createdAt: string;
  readonly expiresAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly lastUsedAt: string | undefined;
}

export interface NewAdminToken {
  readonly id: string;
  /** SHA-256 hex of the secret. */
  readonly hash: string;
  readonly label?: string;
  readonly expiresAt?: string;
  readonly createdAt: string;
}

/** One write as the audit log records it: who, what, on which resource, with what outcome. Never a body. */
export interface AuditEntry {
  /** ISO 8601 UTC: when the request arrived. */
  readonly time: string;
  readonly tenantId: string | undefined;
  readonly tenantName: string | undefined;
  readonly tokenId: string | undefined;
  /** create, replace, patch, delete (SCIM), bulk, … */
  readonly operation: string;
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;
  /** The HTTP status of the answer. */
  readonly status: number;
}

export interface AuditRecord extends AuditEntry {
  /** Increasing in insertion order: the paging key. */
  readonly seq: number;
}

export interface AuditQuery {
  readonly tenantName?: string;
  /** Inclusive lower and exclusive upper bound on `time` (ISO 8601). */
  readonly since?: string;
  readonly until?: string;
  /** Only entries with seq below this (the next page of a newest-first walk). */
  readonly beforeSeq?: number;
  readonly limit: number;
}

export interface AdminStore {
  createAdminToken(token: NewAdminToken): Promise<AdminTokenRecord>;
  /** Revoked and expired ones too: the caller decides. */
  findAdminTokenByHash(hash: string): Promise<AdminTokenRecord | undefined>;
  listAdminTokens(): Promise<readonly AdminTokenRecord[]>;
  revokeAdminToken(id: string, at: string): Promise<boolean>;
  touchAdminToken(id: string, at: string): Promise<void>;
  /** Appends entries in one statement (the audit writer batches them). */
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  /** Newest first (seq descending), at most `limit`. */
  listAudit(query: AuditQuery): Promise<readonly AuditRecord[]>;
}

/** How a JWT's `sub` names the user /Me acts on (RFC 7644 §3.11). */
export type SubjectAttribute = 'userName' | 'id';

/**
 * A tenant's trusted OAuth 2.0 issuer of JWT access tokens (docs/oauth.md).
 * A token belongs to the tenant whose issuer equals its `iss` and whose `tenantValue` is the
 * value of its `tenantClaim`.
 */
export interface OAuthIssuerSettings {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly audience: string;
  readonly tenantClaim: string;
  readonly tenantValue: string;
  readonly algorithms: readonly string[];
  readonly clockSkewSeconds: number;
  readonly subjectAttribute: SubjectAttribute;
}

export interface OAuthIssuerRecord extends OAuthIssuerSettings {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set when the tenant is disabled: its JWTs are refused (403) as its static tokens are. */
  readonly tenantDisabledAt?: string;
}

export interface OAuthIssuerStore {
  /**
   * Creates or replaces the tenant's issuer (createdAt is kept on replace). Throws notFound for an
   * unknown tenant, uniqueness (409) when another tenant has the same (issuer, tenantClaim, tenantValue).
   */
  putOAuthIssuer(tenantId: string, settings: OAuthIssuerSettings, at: string): Promise<OAuthIssuerRecord>;
  findOAuthIssuer(tenantId: string): Promise<OAuthIssuerRecord | undefined>;
  /** Every tenant's issuer configuration whose `issuer` is exactly this one. */
  findOAuthIssuersByIssuer(issuer: string): Promise<readonly OAuthIssuerRecord[]>;
  listOAuthIssuers(): Promise<readonly OAuthIssuerRecord[]>;
  /** False when the tenant had none. */
  deleteOAuthIssuer(tenantId: string): Promise<boolean>;
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
  /**
   * A user's groups, only when asked for (include.groups): type "direct" for the groups it is a
   * member of, "indirect" for the groups that contain those through nested groups.
   */
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
  /** Those of `added` and `removed` that are groups (nested groups); absent when none are. */
  readonly groups?: readonly string[];
}

export interface CreateCommand {
  readonly resourceType: ResourceTypeName;
  readonly id: string;
  readonly doc: Readonly<Record<string, unknown>>;
  readonly passwordHash?: string;
  readonly members?: readonly MemberInput[];
  /** Keys of the tenant's `uniqueness: server` extension values (see UniqueValue); absent: none. */
  readonly uniqueValues?: readonly UniqueValue[];
  readonly now: string;
  /** Builds the write's outbox events from its outcome, inside its transaction (see EventBuilder). */
  readonly events?: EventBuilder<WriteResult>;
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
  /** With a new doc: its unique keys replace the stored ones; absent: the stored ones stay. */
  readonly uniqueValues?: readonly UniqueValue[];
  readonly now: string;
  /**
   * Builds the write's outbox events from its outcome, inside its transaction; called only when
   * the write changed something (the version was bumped), never for a no-op.
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

export interface ResourceStore {
  get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined>;
  query(tenantId: string, query: ResourceQuery): Promise<QueryResult>;
  /**
   * Throws uniqueness (409) for a taken userName / group displayName, invalidValue for an unknown
   * member, or a group member that would close a cycle or nest too deep (docs/nested-groups.md).
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
  /** Throws notFound, VersionConflictError, uniqueness, invalidValue. */
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

// ---- transactional outbox (docs/events.md) ----------------------------------------------------

/**
 * One event as the service builds it, before the store gives it its sequence. The store persists
 * every field as given (`data` as JSON text) and never interprets them.
 */
export interface NewEvent {
  /** Unique (a UUID): the consumer's idempotency key. */
  readonly id: string;
  /** CloudEvents `type`, e.g. "scim.user.created". */
  readonly type: string;
  /** CloudEvents `subject`, e.g. "Users/2819c223-…". */
  readonly subject: string;
  /** The tenant's SCIM base URL (CloudEvents `source`). */
  readonly source: string;
  /** ISO 8601 UTC: when the write happened (the command's `now`). */
  readonly time: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * A pure, synchronous function from a write's outcome (what the transaction did: new version,
 * member delta, or the deleted resource) to the events that describe it. Why a callback: the
 * outcome is known only inside the transaction, and the events must commit with the change or
 * not at all. The store calls it at most once per write, after the change and before COMMIT, and
 * appends what it returns with `appendEvents` semantics below. If it throws, the write rolls back.
 * It must not do I/O. Returning [] appends nothing.
 */
export type EventBuilder<Outcome> = (outcome: Outcome) => readonly NewEvent[];

/** An event as stored in the outbox. */
export interface OutboxRecord extends NewEvent {
  readonly tenantId: string;
  /** The tenant's name (the `tenant` extension and routing keys use it). */
  readonly tenantName: string;
  /** Per tenant: 1, 2, 3, … strictly increasing, no gaps, assigned inside the writing transaction. */
  readonly sequence: number;
}

export interface OutboxStats {
  /** Events stored in the outbox (delivered or not, until pruned). */
  readonly depth: number;
  /** Per sink: events not yet delivered, and the `time` of the oldest of them. */
  readonly sinks: readonly { readonly sink: string; readonly pending: number; readonly oldestTime: string | undefined }[];
}

/**
 * The outbox a Store keeps. Appending happens only through the `events` builders of create /
 * update / delete, in their transactions: for each event, in the order returned, the store takes
 * the tenant's next sequence (a per-tenant counter row, incremented in the same transaction, so
 * that two writers of one tenant serialise on it and commit in sequence order) and inserts the
 * row. A write that throws (validation, 409, 412, notFound) appends nothing.
 *
 * Delivery state is per (sink, tenant): the highest sequence the sink has delivered. Because a
 * tenant's sequences commit in order and without gaps, this cursor is enough for at-least-once,
 * in-order delivery (markDelivered never moves a cursor backwards).
 *
 * Several relays (one per instance, each with its own `owner` id) share the outbox through a
 * lease per (sink, tenant): `claimEvents` hands a relay only the tenants whose lease it holds, so
 * that in the normal case each event is delivered once, by one relay, in sequence order. A relay
 * renews its leases while it delivers (`renewLeases`) and drops them when it stops
 * (`releaseLeases`). When a relay dies mid-lease, its tenants wait until the lease expires; the
 * next relay then resumes from the cursor, so only the events the dead relay had published but not
 * yet marked delivered are published twice, with the same ids. Lease expiry is measured on the
 * database's clock (PostgreSQL) or the machine's (SQLite), never on each relay's own.
 */
export interface OutboxStore {
  /** The tenant's events with sequence > afterSequence, in sequence order, at most `limit`. */
  readEvents(tenantId: string, afterSequence: number, limit: number): Promise<readonly OutboxRecord[]>;
  /**
   * Events not yet delivered to `sink`: for each tenant, those with sequence > the sink's cursor
   * for it (0 when none). At most `limit`, oldest first; within a tenant in sequence order.
   */
  pendingEvents(sink: string, limit: number): Promise<readonly OutboxRecord[]>;
  /**
   * Like pendingEvents, but only for tenants whose (sink, tenant) lease `owner` holds after the
   * call: for each tenant with events pending for `sink`, the lease is taken when it is free,
   * expired, or already `owner`'s, and set to expire `leaseMs` from now; a tenant leased to
   * another owner is skipped. The taking is atomic (two owners never both get a tenant while the
   * lease is valid), and the cursor is read after it, so events start right after whatever the
   * previous holder marked delivered. At most `limit` events, within a tenant in sequence order.
   */
  claimEvents(sink: string, owner: string, limit: number, leaseMs: number): Promise<readonly OutboxRecord[]>;
  /**
   * Extends `owner`'s leases for these tenants to `leaseMs` from now and returns the tenants it
   * still holds (a tenant missing from the answer was taken over after the lease expired: the
   * caller stops delivering it).
   */
  renewLeases(sink: string, owner: string, tenantIds: readonly string[], leaseMs: number): Promise<readonly string[]>;
  /** Drops every lease `owner` holds for `sink` (on shutdown), so another relay takes over at once. */
  releaseLeases(sink: string, owner: string): Promise<void>;
  /** Sets the sink's cursor for the tenant to max(current, sequence). */
  markDelivered(sink: string, tenantId: string, sequence: number): Promise<void>;
  /**
   * Deletes events whose time is before `before` and that every one of `sinks` has delivered
   * (sequence <= its cursor for the tenant). Returns how many were deleted. The per-tenant
   * counter is kept, so sequences never restart.
   */
  pruneEvents(sinks: readonly string[], before: string): Promise<number>;
  outboxStats(sinks: readonly string[]): Promise<OutboxStats>;
}

// ---- tenant extension schemas (docs/custom-attributes.md) ----------------------------------

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

/** One definition change of a tenant, applied in one transaction (see SchemaStore.saveExtensions). */
export interface ExtensionChange {
  /** The tenant's schema version this change was computed from; another one wins the race. */
  readonly expectedVersion: number;
  /** Inserts or replaces this extension (keyed by schema id, case-insensitively). */
  readonly put?: TenantExtension;
  /** Deletes the extension with this schema id. */
  readonly remove?: string;
  /** JSON paths (e.g. [schemaUrn, attrName]) deleted from every document of `resourceType`. */
  readonly purge: readonly (readonly string[])[];
  readonly resourceType: ResourceTypeName;
  /** Unique keys rebuilt from scratch for an attribute (newly unique, or its comparison changed). */
  readonly uniqueRebuild: readonly { readonly attr: string; readonly values: readonly { readonly id: string; readonly key: string }[] }[];
  /** Attributes no longer unique: their keys are dropped. */
  readonly uniqueDrop: readonly string[];
}

export interface SchemaStore {
  /** A counter bumped by every definition change of the tenant; 0 when it never had one. One indexed read. */
  extensionsVersion(tenantId: string): Promise<number>;
  loadExtensions(tenantId: string): Promise<{ readonly version: number; readonly extensions: readonly TenantExtension[] }>;
  /** Each resource of the type whose document holds a value at `path`, with that value. */
  valuesAt(
    tenantId: string,
    resourceType: ResourceTypeName,
    path: readonly string[],
  ): Promise<readonly { readonly id: string; readonly value: unknown }[]>;
  /**
   * Applies the change and bumps the version, or nothing: VersionConflictError when the version
   * is no longer `expectedVersion`, uniqueness (409) when a rebuilt attribute has duplicates.
   * Documents are purged in place: no version bump and no events (a definition is not a resource).
   */
  saveExtensions(tenantId: string, change: ExtensionChange): Promise<number>;
}

/** A receiver's answer about one SET it polled (RFC 8936 §2.4): acknowledged, or refused with an error. */
export interface SetAcknowledgement {
  /** The SET's jti, which is its event's id. */
  readonly jti: string;
  /** From `setErrs`: the RFC 8935 §2.4 error code and its description; absent for a plain `ack`. */
  readonly err?: string;
  readonly description?: string;
}

/**
 * RFC 8936 poll delivery state, one stream per tenant, kept beside the outbox (docs/events.md,
 * "Security Event Tokens"): an event stays unacknowledged, and is offered again on every poll,
 * until the tenant's receiver acknowledges it (or reports it in `setErrs`).
 */
export interface SetPollStore {
  /**
   * Records the acknowledgements of the tenant's events with these ids, at `at`; ids that name no
   * event of this tenant (another tenant's, pruned, made up) are ignored. Acknowledging twice is
   * harmless. Returns the jtis it matched.
   */
  acknowledgeSets(tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Promise<readonly string[]>;
  /** The tenant's unacknowledged events, in sequence order, at most `limit`. */
  unacknowledgedSets(tenantId: string, limit: number): Promise<readonly OutboxRecord[]>;
  /**
   * The SET signing key set (a JWK Set JSON text) stored for this database, storing `candidate`
   * first when there is none: every process on the database signs with the same keys.
   */
  setSigningKeys(candidate: string, at: string): Promise<string>;
}

export interface StoreCapabilities {
  readonly dialect: string;
}

export interface Store extends ResourceStore, TenantStore, OutboxStore, SchemaStore, AdminStore, OAuthIssuerStore, SetPollStore {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; safe to call on every start. Returns the versions applied. */
  migrate(): Promise<readonly number[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
