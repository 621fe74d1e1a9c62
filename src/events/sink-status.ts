import type { OutboxStore } from '../store/ports/outbox.ts';
import { sinkName } from './publisher.ts';
import type { Relay } from './relay.ts';

/** One sink as the admin API reports it. */
export interface SinkStatus {
  /** The sink URL without credentials or secret. */
  readonly sink: string;
  /** Events not yet delivered to it, over all tenants (from the store: every instance agrees). */
  readonly pending: number;
  readonly oldestPendingTime: string | undefined;
  readonly oldestPendingAgeSeconds: number;
  /**
   * What this process's relay knows (since it started); absent when the relay runs elsewhere
   * (SCIMD_RELAY=off, `scimd relay`).
   */
  readonly relay:
    | {
        readonly delivered: number;
        readonly failures: number;
        readonly consecutiveFailures: number;
        readonly lastError: string | undefined;
        /** When the sink is failing: when the next attempt is due. */
        readonly retryAt: string | undefined;
      }
    | undefined;
}

/**
 * Status of every configured sink: the durable backlog from the outbox, joined with the
 * in-memory delivery state of this process's relay when there is one.
 */
export async function sinkStatuses(
  store: OutboxStore,
  sinkUrls: readonly string[],
  relay: Relay | undefined,
  now: Date,
): Promise<SinkStatus[]> {
  const names = relay?.sinkNames ?? sinkUrls.map((url) => sinkName(new URL(url)));
  const stats = await store.outboxStats(names);
  return stats.sinks.map((s) => {
    const state = relay?.states.find((r) => r.name === s.sink);
    return {
      sink: s.sink,
      pending: s.pending,
      oldestPendingTime: s.oldestTime,
      oldestPendingAgeSeconds: s.oldestTime ? Math.max(0, Math.round((now.getTime() - Date.parse(s.oldestTime)) / 1000)) : 0,
      relay: state && {
        delivered: state.delivered,
        failures: state.failures,
        consecutiveFailures: state.consecutiveFailures,
        lastError: state.lastError,
        retryAt: state.consecutiveFailures > 0 && state.nextAttemptAt > 0 ? new Date(state.nextAttemptAt).toISOString() : undefined,
      },
    };
  });
}
