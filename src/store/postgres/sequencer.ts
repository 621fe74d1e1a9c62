import type { Run } from './run.ts';

/** Rows numbered per transaction: a backlog is numbered in a few short transactions, not one long one. */
export const SEQUENCE_BATCH = 10_000;

/** Tenants with committed events that have no sequence yet (a probe of a partial index). */
export const UNSEQUENCED_TENANTS = 'SELECT DISTINCT tenant_id FROM outbox WHERE sequence IS NULL';
export const HAS_UNSEQUENCED = 'SELECT 1 FROM outbox WHERE tenant_id = $1 AND sequence IS NULL LIMIT 1';

/**
 * Gives a tenant's committed events without a sequence the next numbers, in position order; run in
 * one transaction (docs/events.md, "Sequence numbers on PostgreSQL"). The first statement locks
 * the tenant's counter row, so sequencers on several instances take turns; the second is a later
 * statement, hence a later snapshot, so it sees every row a previous holder numbered. Position
 * order is not commit order, but a snapshot that shows an event also shows every event of the same
 * resource committed before it, so each resource's events are numbered in the order they happened.
 * Returns how many rows it numbered (SEQUENCE_BATCH means there may be more).
 */
export async function sequenceTenant(run: Run, tenantId: string): Promise<number> {
  const [counter] = await run<{ last_sequence: number }>(
    `INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES ($1, 0)
     ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = outbox_counters.last_sequence RETURNING last_sequence`,
    [tenantId],
  );
  const [numbered] = await run<{ n: number }>(
    `WITH pending AS (
       SELECT position, row_number() OVER (ORDER BY position) AS n FROM outbox
       WHERE tenant_id = $1 AND sequence IS NULL ORDER BY position LIMIT $3
     ), numbered AS (
       UPDATE outbox o SET sequence = $2 + p.n FROM pending p WHERE o.position = p.position RETURNING 1
     ), counted AS (SELECT count(*) AS n FROM numbered)
     UPDATE outbox_counters c SET last_sequence = c.last_sequence + counted.n FROM counted WHERE c.tenant_id = $1
     RETURNING counted.n`,
    [tenantId, counter!.last_sequence, SEQUENCE_BATCH],
  );
  return numbered?.n ?? 0;
}
