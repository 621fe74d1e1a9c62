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
  /**
   * The first change after `since` of each resource, in sequence order, from the events with
   * after < sequence <= upTo (since <= after: a later page of a walk starts past its first page):
   * an event whose subject has an earlier event after `since` is left out, so a resource changed
   * on an earlier page and again after it is not read twice. Of one endpoint or all, at most `limit`.
   */
  firstChanges(
    tenantId: string,
    since: number,
    after: number,
    upTo: number,
    limit: number,
    endpoint?: ResourceEndpoint,
  ): Promise<readonly ChangeRecord[]>;
  /**
   * For after < sequence <= upTo: how many events the outbox still holds (all endpoints; fewer
   * than upTo - after once pruned), and how many distinct resources of `endpoint` (or all) they touch.
   */
  countChanges(tenantId: string, after: number, upTo: number, endpoint?: ResourceEndpoint): Promise<{ events: number; resources: number }>;
}
