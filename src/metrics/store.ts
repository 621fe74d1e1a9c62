import type { Store } from '../store/ports/store.ts';
import type { Metrics } from './registry.ts';

/** The database pool and pipelined connections' state at each scrape (PostgreSQL; SQLite has no pool to show). */
export function registerStoreMetrics(metrics: Metrics, store: Pick<Store, 'poolState'>): void {
  const state = () => store.poolState?.();
  if (state() === undefined) return;
  metrics.gauge('scimd_db_pool_connections', 'Pooled database connections, by state (idle, busy, waiting requests).', ['state'], (g) => {
    const s = state()!;
    g.set({ state: 'idle' }, s.idle);
    g.set({ state: 'busy' }, s.total - s.idle);
    g.set({ state: 'waiting' }, s.waiting);
  });
  metrics.gauge(
    'scimd_db_pipelined_connections',
    'Open connections that carry plain reads and one-statement writes in pipeline mode.',
    [],
    (g) => {
      g.set(state()!.pipelined?.connections ?? 0);
    },
  );
  metrics.gauge('scimd_db_pipelined_in_flight', 'Statements sent on pipelined connections and not yet answered.', [], (g) => {
    g.set(state()!.pipelined?.inFlight ?? 0);
  });
}
