import type { OutboxStore } from '../store/ports/outbox.ts';
import type { Relay } from './relay.ts';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus text exposition (version 0.0.4) of the outbox: depth, per sink the undelivered
 * count and the age of the oldest undelivered event, deliveries and failures since start.
 */
export async function outboxMetrics(store: OutboxStore, relay: Relay | undefined, now: Date = new Date()): Promise<string> {
  const sinks = relay?.sinkNames ?? [];
  const stats = await store.outboxStats(sinks);
  const lines = [
    '# HELP scimd_outbox_depth Events stored in the outbox (delivered or not, until pruned).',
    '# TYPE scimd_outbox_depth gauge',
    `scimd_outbox_depth ${stats.depth}`,
    '# HELP scimd_outbox_pending Events not yet delivered to the sink.',
    '# TYPE scimd_outbox_pending gauge',
    ...stats.sinks.map((s) => `scimd_outbox_pending{sink="${label(s.sink)}"} ${s.pending}`),
    '# HELP scimd_outbox_oldest_undelivered_seconds Age of the oldest event the sink has not delivered (0 when none).',
    '# TYPE scimd_outbox_oldest_undelivered_seconds gauge',
    ...stats.sinks.map(
      (s) =>
        `scimd_outbox_oldest_undelivered_seconds{sink="${label(s.sink)}"} ${s.oldestTime ? Math.max(0, (now.getTime() - Date.parse(s.oldestTime)) / 1000) : 0}`,
    ),
    '# HELP scimd_events_delivered_total Events delivered to the sink by this process.',
    '# TYPE scimd_events_delivered_total counter',
    ...(relay?.states ?? []).map((s) => `scimd_events_delivered_total{sink="${label(s.name)}"} ${s.delivered}`),
    '# HELP scimd_event_delivery_failures_total Failed delivery attempts to the sink by this process.',
    '# TYPE scimd_event_delivery_failures_total counter',
    ...(relay?.states ?? []).map((s) => `scimd_event_delivery_failures_total{sink="${label(s.name)}"} ${s.failures}`),
  ];
  return `${lines.join('\n')}\n`;
}
