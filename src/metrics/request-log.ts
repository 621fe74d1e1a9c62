import type { Metrics } from './registry.ts';

/** What the request log has done since start (service/request-log.ts `counts`), read at each scrape. */
export interface RequestLogCounts {
  readonly queued: number;
  readonly written: number;
  readonly dropped: number;
  readonly failed: number;
}

/** The request log's write-behind queue at each scrape: a growing backlog or any loss shows here first. */
export function registerRequestLogMetrics(metrics: Metrics, log: { counts(): RequestLogCounts }): void {
  metrics.gauge('scimd_request_log_queued', 'Requests captured for the request log and not yet written.', [], (g) => {
    g.set(log.counts().queued);
  });
  // Totals kept by the request log since start, exposed as counters read at scrape.
  metrics.counter('scimd_request_log_written_total', 'Request log entries written by this process.', [], (c) => {
    c.reset();
    c.inc(log.counts().written);
  });
  metrics.counter(
    'scimd_request_log_lost_total',
    'Requests this process did not record: the queue was full, or the database refused their batch.',
    ['reason'],
    (c) => {
      const { dropped, failed } = log.counts();
      c.reset();
      c.inc({ reason: 'queue_full' }, dropped);
      c.inc({ reason: 'write_failed' }, failed);
    },
  );
}
