import type { OutboxRecord } from './outbox.ts';

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
