import type { ResourceEndpoint } from '../../schema/resource.ts';
import type { ChangeLogStore, ChangeRecord } from '../ports/change-log.ts';
import { type Sql, sql } from './fragment.ts';
import type { RunSql } from './run.ts';

/** Only the events of one resource endpoint, by their subject (`Users/…`, `Groups/…`); none: every resource. */
function ofEndpoint(prefix: ResourceEndpoint | undefined): Sql {
  return prefix === undefined ? sql`` : sql` AND subject LIKE ${`${prefix}/%`}`;
}

/**
 * The ChangeLogStore both stores share (docs/delta-query.md): the tenant's latest event position
 * and what changed after a position, read from the outbox itself (no change table of its own).
 * `beforeRead` runs first where events get their sequence after commit (PostgreSQL's sequencer),
 * so that the latest position counts every event committed before the call.
 */
export function changeLogQueries(run: RunSql, beforeRead: (tenantId: string) => Promise<void>): ChangeLogStore {
  return {
    async latestSequence(tenantId) {
      await beforeRead(tenantId);
      const [row] = await run<{ last_sequence: number | string }>(
        sql`SELECT last_sequence FROM outbox_counters WHERE tenant_id = ${tenantId}`,
      );
      return row ? Number(row.last_sequence) : 0;
    },
    async firstChanges(tenantId, since, after, upTo, limit, endpoint) {
      // The earlier events of a subject are found by outbox_subject (tenant_id, subject, sequence).
      const rows = await run<{ sequence: number | string; type: string; subject: string }>(
        sql`SELECT sequence, type, subject FROM outbox o
          WHERE tenant_id = ${tenantId} AND sequence > ${after} AND sequence <= ${upTo}${ofEndpoint(endpoint)}
            AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.tenant_id = o.tenant_id AND e.subject = o.subject
              AND e.sequence > ${since} AND e.sequence < o.sequence)
          ORDER BY sequence LIMIT ${limit}`,
      );
      return rows.map((r): ChangeRecord => ({ sequence: Number(r.sequence), type: r.type, subject: r.subject }));
    },
    async countChanges(tenantId, after, upTo, endpoint) {
      const counted = endpoint === undefined ? sql`subject` : sql`CASE WHEN subject LIKE ${`${endpoint}/%`} THEN subject END`;
      const [row] = await run<{ events: number | string; resources: number | string }>(
        sql`SELECT count(*) AS events, count(DISTINCT ${counted}) AS resources
          FROM outbox WHERE tenant_id = ${tenantId} AND sequence > ${after} AND sequence <= ${upTo}`,
      );
      return { events: Number(row?.events ?? 0), resources: Number(row?.resources ?? 0) };
    },
  };
}
