import type { RequestLog } from '../service/request-log.ts';
import type { Metrics } from './registry.ts';

/** The request log's write-behind queue at each scrape: a growing backlog or any loss shows here first. */
export function registerRequestLogMetrics(metrics: Metrics, log: Pick<RequestLog, 'counts'>): void {
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
