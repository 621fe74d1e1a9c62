import type { ResourceEndpoint } from '../../schema/resource.ts';
import type { ChangeLogStore, ChangeRecord } from '../ports/change-log.ts';
import { type Sql, sql } from './fragment.ts';
import type { RunSql } from './run.ts';
import type { WriteDialect } from './writes.ts';

/** Only the events of one resource endpoint, by their subject (`Users/…`, `Groups/…`); none: every resource. */
function ofEndpoint(prefix: ResourceEndpoint | undefined): Sql {
  return prefix === undefined ? sql`` : sql` AND subject LIKE ${`${prefix}/%`}`;
}

/**
 * Whether event `o` is its resource's first change after sequence `since`. Where the write numbers
 * events (SQLite), each names its resource's previous event (writes.ts appendEvents): a column
 * compared, no probe. Where a sequencer numbers them after commit (PostgreSQL), the write cannot
 * know that sequence: one probe of outbox_subject (tenant_id, subject, sequence) per event.
 */
function firstAfter(d: WriteDialect, since: number): Sql {
  return d.numbersEvents
    ? sql`(o.previous IS NULL OR o.previous <= ${since})`
    : sql`NOT EXISTS (SELECT 1 FROM outbox e WHERE e.tenant_id = o.tenant_id AND e.subject = o.subject
        AND e.sequence > ${since} AND e.sequence < o.sequence)`;
}

/**
 * The ChangeLogStore both stores share (docs/delta-query.md): the tenant's latest event position
 * and what changed after a position, read from the outbox itself (no change table of its own).
 * `beforeRead` runs first where events get their sequence after commit (PostgreSQL's sequencer),
 * so that the latest position counts every event committed before the call.
 */
export function changeLogQueries(run: RunSql, d: WriteDialect, beforeRead: (tenantId: string) => Promise<void>): ChangeLogStore {
  return {
    async latestSequence(tenantId) {
      await beforeRead(tenantId);
      const [row] = await run<{ last_sequence: number | string }>(
        sql`SELECT last_sequence FROM outbox_counters WHERE tenant_id = ${tenantId}`,
      );
      return row ? Number(row.last_sequence) : 0;
    },
    async firstChanges(tenantId, since, after, upTo, limit, endpoint) {
      const rows = await run<{ sequence: number | string; type: string; subject: string }>(
        sql`SELECT sequence, type, subject FROM outbox o
          WHERE tenant_id = ${tenantId} AND sequence > ${after} AND sequence <= ${upTo}${ofEndpoint(endpoint)}
            AND ${firstAfter(d, since)}
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
