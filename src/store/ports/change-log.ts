import type { ResourceEndpoint } from '../../schema/resource.ts';

/** One event as the change log reads it: what changed (type, subject), and when (sequence). */
export interface ChangeRecord {
  readonly sequence: number;
  readonly type: string;
  /** `Users/{id}` or `Groups/{id}`. */
  readonly subject: string;
}

/**
 * The outbox read as a change log (delta queries, docs/delta-query.md; a consumer's snapshot
 * position): no table of its own, so it reaches back as far as the retention.
 */
export interface ChangeLogStore {
  /**
   * The tenant's latest event sequence (0 when none): every event committed before the call has
   * a sequence at most this, every later one a higher sequence.
   */
  latestSequence(tenantId: string): Promise<number>;
  /** Events with after < sequence <= upTo, of one endpoint or all, in sequence order, at most `limit`. */
  readChanges(tenantId: string, after: number, upTo: number, limit: number, endpoint?: ResourceEndpoint): Promise<readonly ChangeRecord[]>;
  /**
   * For after < sequence <= upTo: how many events the outbox still holds (all endpoints; fewer
   * than upTo - after once pruned), and how many distinct resources of `endpoint` (or all) they touch.
   */
  countChanges(tenantId: string, after: number, upTo: number, endpoint?: ResourceEndpoint): Promise<{ events: number; resources: number }>;
}
