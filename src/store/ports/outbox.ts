/**
 * The transactional outbox (docs/events.md). An event is appended only through the `events`
 * builders of create / update / delete, inside their transactions: a change commits with its
 * events or not at all, and a write that throws (validation, 409, 412, notFound) appends nothing.
 */

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
 * appends what it returns in that order. If it throws, the write rolls back. It must not do I/O.
 * Returning [] appends nothing.
 */
export type EventBuilder<Outcome> = (outcome: Outcome) => readonly NewEvent[];

/** An event as stored in the outbox. */
export interface OutboxRecord extends NewEvent {
  readonly tenantId: string;
  /** The tenant's name (the `tenant` extension and routing keys use it). */
  readonly tenantName: string;
  /** Per tenant: 1, 2, 3, … strictly increasing, no gaps, given only to committed events. */
  readonly sequence: number;
}

export interface OutboxStats {
  /** Events stored in the outbox (delivered or not, until pruned). */
  readonly depth: number;
  /** Per sink: events not yet delivered, and the `time` of the oldest of them. */
  readonly sinks: readonly { readonly sink: string; readonly pending: number; readonly oldestTime: string | undefined }[];
}

/**
 * The outbox a Store keeps, and how each database numbers it:
 *
 * - SQLite: the writing transaction takes the tenant's next sequences from a per-tenant counter
 *   row (BEGIN IMMEDIATE already makes it the only writer of the file), so events are numbered
 *   when they commit.
 * - PostgreSQL: the writing transaction inserts its events without a sequence, ordered by a
 *   global `position`, so that writers of one tenant never wait for each other's commit. Before
 *   any read of the outbox (every method below but markDelivered, releaseLeases, renewLeases and
 *   pruneEvents) the sequencer numbers the tenant's committed, unnumbered events in position
 *   order in a short transaction of its own (src/store/postgres/sequencer.ts, docs/events.md
 *   "Sequence numbers on PostgreSQL"). An event is readable only once numbered.
 *
 * On both, a tenant's sequences are given once, to committed events only, without gaps, and a
 * reader asking for sequences above its cursor never skips one.
 *
 * Delivery state is per (sink, tenant): the highest sequence the sink has delivered. Because of
 * the above, this cursor is enough for at-least-once, in-order delivery (markDelivered never
 * moves a cursor backwards).
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
