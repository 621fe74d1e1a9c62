import { sinkName } from '../events/publisher.ts';
import type { SinkStatus } from '../events/sink-status.ts';
import type { ConsoleStore } from '../store/ports/console.ts';
import type { TenantService } from './tenants.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * One tenant at a glance (the console's overview and tenants pages): resource counts, the
 * request log's last 24 hours and last request, and where each event sink stands for it.
 */
export function createTenantOverview(deps: {
  readonly store: ConsoleStore;
  readonly tenants: TenantService;
  readonly sinkUrls: readonly string[];
  /** Every sink's status (the relay's last error lives there). */
  readonly sinks: () => Promise<readonly SinkStatus[]>;
  readonly clock?: () => Date;
  /** Writes the request log's queued batch, so that the last requests count (it waits up to 200 ms otherwise). */
  readonly flushRequestLog?: () => Promise<void>;
}) {
  const clock = deps.clock ?? (() => new Date());
  const sinkNames = deps.sinkUrls.map((url) => sinkName(new URL(url)));

  async function activity(tenantId: string) {
    await deps.flushRequestLog?.();
    return deps.store.tenantActivity(tenantId, clock().getTime() - DAY_MS);
  }

  return {
    activity,
    async overview(tenantName: string) {
      const tenant = await deps.tenants.findTenant(tenantName);
      const now = clock().getTime();
      const [day, delivery, statuses] = await Promise.all([
        activity(tenant.id),
        deps.store.tenantDelivery(tenant.id, sinkNames),
        deps.sinks(),
      ]);
      return {
        tenant,
        ...day,
        latestSequence: delivery.latestSequence,
        sinks: delivery.sinks.map((s) => {
          const status = statuses.find((st) => st.sink === s.sink);
          return {
            sink: s.sink,
            deliveredSequence: s.deliveredSequence,
            pending: s.pending,
            lagSeconds: s.oldestPendingTime ? Math.max(0, Math.round((now - Date.parse(s.oldestPendingTime)) / 1000)) : 0,
            lastError: status?.relay?.lastError,
          };
        }),
      };
    },
  };
}

export type TenantOverview = ReturnType<typeof createTenantOverview>;
