import type { Metrics } from '../metrics/registry.ts';
import type { OutboxStats, OutboxStore } from '../store/ports/outbox.ts';
import type { Relay } from './relay.ts';

/**
 * The outbox's series, read at each scrape: depth, per sink the undelivered count and the age of
 * the oldest undelivered event (from the database: every instance answers alike), and this
 * process's deliveries and failures per sink. One database query per scrape, shared by the gauges.
 */
export function registerOutboxMetrics(
  metrics: Metrics,
  store: OutboxStore,
  relay: Relay | undefined,
  clock: () => Date = () => new Date(),
): void {
  const sinks = relay?.sinkNames ?? [];
  let pending: { at: number; stats: Promise<OutboxStats> } | undefined;
  const stats = () => {
    const now = Date.now();
    if (pending === undefined || now - pending.at > 500) pending = { at: now, stats: store.outboxStats(sinks) };
    return pending.stats;
  };
  metrics.gauge('scimd_outbox_depth', 'Events stored in the outbox (delivered or not, until pruned).', [], async (g) => {
    g.set((await stats()).depth);
  });
  metrics.gauge('scimd_outbox_pending', 'Events not yet delivered to the sink.', ['sink'], async (g) => {
    for (const s of (await stats()).sinks) g.set({ sink: s.sink }, s.pending);
  });
  metrics.gauge(
    'scimd_outbox_oldest_undelivered_seconds',
    'Age of the oldest event the sink has not delivered (0 when none).',
    ['sink'],
    async (g) => {
      const now = clock().getTime();
      for (const s of (await stats()).sinks)
        g.set({ sink: s.sink }, s.oldestTime ? Math.max(0, (now - Date.parse(s.oldestTime)) / 1000) : 0);
    },
  );
  if (!relay) return;
  // The relay keeps its own totals since start; exposed as counters whose value is read at scrape.
  metrics.counter('scimd_events_delivered_total', 'Events delivered to the sink by this process.', ['sink'], (c) => {
    c.reset();
    for (const s of relay.states) c.inc({ sink: s.name }, s.delivered);
  });
  metrics.gauge(
    'scimd_event_sink_failing',
    '1 while the sink is failing (its last delivery attempt failed: an error, refused events, or no confirmation within SCIMD_EVENT_PUBLISH_TIMEOUT_MS), else 0.',
    ['sink'],
    (g) => {
      for (const s of relay.states) g.set({ sink: s.name }, s.consecutiveFailures > 0 ? 1 : 0);
    },
  );
  metrics.counter('scimd_event_delivery_failures_total', 'Failed delivery attempts to the sink by this process.', ['sink'], (c) => {
    c.reset();
    for (const s of relay.states) c.inc({ sink: s.name }, s.failures);
  });
}
