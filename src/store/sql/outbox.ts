import type { OutboxRecord, OutboxStats, OutboxStore } from '../ports/outbox.ts';
import type { SetAcknowledgement, SetPollStore } from '../ports/set-poll.ts';
import { raw, sql } from './fragment.ts';
import { type OutboxRow, OUTBOX_SELECT as SELECT_TEXT, toRecord } from './rows.ts';
import { type Plan, rows, type SqlRunner } from './run.ts';
import type { WriteDialect } from './writes.ts';

const OUTBOX_SELECT = raw(SELECT_TEXT);

/**
 * The outbox both stores share: a tenant's events, the relay's leases, pending work and delivery
 * cursors, the lag figures, and the RFC 8936 poll stream. `sequence` runs before a read where
 * events are numbered after they commit (PostgreSQL's sequencer, postgres/sequencer.ts): of one
 * tenant, or of all when none is named. Appending events is part of each write (writes.ts);
 * pruning stays with each store.
 */
export function outboxQueries(db: SqlRunner, d: WriteDialect, sequence: (tenantId?: string) => Promise<void>) {
  const { run } = db;

  const queries = {
    async readEvents(tenantId: string, afterSequence: number, limit: number): Promise<readonly OutboxRecord[]> {
      await sequence(tenantId);
      const found = await run<OutboxRow>(
        sql`${OUTBOX_SELECT} WHERE o.tenant_id = ${tenantId} AND o.sequence > ${afterSequence} ORDER BY o.sequence LIMIT ${limit}`,
      );
      return found.map(toRecord);
    },

    async pendingEvents(sink: string, limit: number): Promise<readonly OutboxRecord[]> {
      await sequence();
      return db.each(() => pending(sink, limit));
    },

    async claimEvents(sink: string, owner: string, limit: number, leaseMs: number): Promise<readonly OutboxRecord[]> {
      await sequence();
      // One statement takes the leases: INSERT … ON CONFLICT DO UPDATE locks a conflicting row and
      // evaluates the WHERE on its latest version, so of two relays racing for a tenant exactly one
      // gets it (on SQLite the statement is the only writer of the file anyway).
      const lease = Math.ceil(leaseMs);
      const claimed = await run<{ tenant_id: string }>(
        sql`INSERT INTO outbox_leases AS l (sink, tenant_id, owner, until_ms)
         SELECT ${sink}, c.tenant_id, ${owner}, ${d.nowMs()} + ${lease} FROM outbox_counters c
         LEFT JOIN outbox_delivery dl ON dl.sink = ${sink} AND dl.tenant_id = c.tenant_id
         WHERE c.last_sequence > coalesce(dl.delivered_sequence, 0) ORDER BY c.tenant_id
         ON CONFLICT (sink, tenant_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
           WHERE l.owner = excluded.owner OR l.until_ms < excluded.until_ms - ${lease}
         RETURNING tenant_id`,
      );
      if (claimed.length === 0) return [];
      return db.each(() =>
        claimedEvents(
          claimed.map((r) => r.tenant_id),
          sink,
          limit,
        ),
      );
    },

    async renewLeases(sink: string, owner: string, tenantIds: readonly string[], leaseMs: number): Promise<readonly string[]> {
      if (tenantIds.length === 0) return [];
      const given = d.table(
        't',
        [{ name: 'tenant_id', type: 'text' }],
        tenantIds.map((t) => [t]),
      );
      const renewed = await run<{ tenant_id: string }>(
        sql`UPDATE outbox_leases SET until_ms = ${d.nowMs()} + ${Math.ceil(leaseMs)}
         WHERE sink = ${sink} AND owner = ${owner} AND tenant_id IN (SELECT t.tenant_id FROM ${given}) RETURNING tenant_id`,
      );
      return renewed.map((r) => r.tenant_id);
    },

    async acknowledgeSets(tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Promise<readonly string[]> {
      if (acknowledgements.length === 0) return [];
      // Acknowledgements name events by id; only numbered ones have a place in the poll stream.
      await sequence(tenantId);
      return db.transact(() => acknowledge(d, tenantId, acknowledgements, at));
    },

    async releaseLeases(sink: string, owner: string): Promise<void> {
      await run(sql`DELETE FROM outbox_leases WHERE sink = ${sink} AND owner = ${owner}`);
    },

    async markDelivered(sink: string, tenantId: string, sequence: number): Promise<void> {
      await run(sql`INSERT INTO outbox_delivery (sink, tenant_id, delivered_sequence) VALUES (${sink}, ${tenantId}, ${sequence})
        ON CONFLICT (sink, tenant_id) DO UPDATE SET delivered_sequence = CASE
          WHEN excluded.delivered_sequence > outbox_delivery.delivered_sequence THEN excluded.delivered_sequence
          ELSE outbox_delivery.delivered_sequence END`);
    },

    async outboxStats(sinks: readonly string[]): Promise<OutboxStats> {
      await sequence();
      const [{ depth } = { depth: 0 }] = await run<{ depth: number }>(sql`SELECT count(*) AS depth FROM outbox`);
      const result: OutboxStats['sinks'][number][] = [];
      for (const sink of sinks) {
        const lag = await run<{ pending: number; oldest: string | null }>(
          sql`SELECT c.last_sequence - coalesce(d.delivered_sequence, 0) AS pending, o.time AS oldest
           FROM outbox_counters c
           LEFT JOIN outbox_delivery d ON d.sink = ${sink} AND d.tenant_id = c.tenant_id
           LEFT JOIN outbox o ON o.tenant_id = c.tenant_id AND o.sequence = coalesce(d.delivered_sequence, 0) + 1
           WHERE c.last_sequence > coalesce(d.delivered_sequence, 0)`,
        );
        const oldest = lag
          .map((r) => r.oldest)
          .filter((t): t is string => t !== null)
          .sort()[0];
        result.push({ sink, pending: lag.reduce((n, r) => n + r.pending, 0), oldestTime: oldest });
      }
      return { depth, sinks: result };
    },

    async unacknowledgedSets(tenantId: string, limit: number): Promise<readonly OutboxRecord[]> {
      await sequence(tenantId);
      const found = await run<OutboxRow>(
        sql`${OUTBOX_SELECT} WHERE o.tenant_id = ${tenantId}
         AND o.sequence > coalesce((SELECT acked_through FROM set_poll_cursors WHERE tenant_id = ${tenantId}), 0)
         AND NOT EXISTS (SELECT 1 FROM set_poll_acks a WHERE a.tenant_id = o.tenant_id AND a.sequence = o.sequence)
       ORDER BY o.sequence LIMIT ${limit}`,
      );
      return found.map(toRecord);
    },

    async setSigningKeys(candidate: string, at: string): Promise<string> {
      // Instances starting together: the first insert wins and every instance reads the winner.
      await run(
        sql`INSERT INTO set_signing_keys (id, jwks, created_at) VALUES ('generated', ${candidate}, ${at}) ON CONFLICT (id) DO NOTHING`,
      );
      const [row] = await run<{ jwks: string }>(sql`SELECT jwks FROM set_signing_keys WHERE id = 'generated'`);
      return row!.jwks;
    },
  } satisfies Partial<OutboxStore & SetPollStore>;
  return queries;
}

/**
 * Tenants with work first (one row per tenant), then an index range per tenant: never a scan over
 * the delivered rows that wait for pruning. Sequences are given only to committed rows, without
 * gaps, so "sequence > cursor" never skips an event.
 */
function* pending(sink: string, limit: number): Plan<OutboxRecord[]> {
  const tenants = yield* rows<{ tenant_id: string; done: number }>(
    sql`SELECT c.tenant_id, coalesce(d.delivered_sequence, 0) AS done FROM outbox_counters c
     LEFT JOIN outbox_delivery d ON d.sink = ${sink} AND d.tenant_id = c.tenant_id
     WHERE c.last_sequence > coalesce(d.delivered_sequence, 0)`,
  );
  const out: OutboxRecord[] = [];
  for (const t of tenants) {
    if (out.length >= limit) break;
    const range = yield* rows<OutboxRow>(
      sql`${OUTBOX_SELECT} WHERE o.tenant_id = ${t.tenant_id} AND o.sequence > ${t.done} ORDER BY o.sequence LIMIT ${limit - out.length}`,
    );
    for (const row of range) out.push(toRecord(row));
  }
  return out;
}

function* acknowledge(d: WriteDialect, tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Plan<string[]> {
  const given = d.table(
    'g',
    [
      { name: 'jti', type: 'text' },
      { name: 'err', type: 'text' },
      { name: 'description', type: 'text' },
    ],
    acknowledgements.map((a) => [a.jti, a.err ?? null, a.description ?? null]),
  );
  const matched = yield* rows<{ id: string }>(
    sql`SELECT o.id FROM ${given} JOIN outbox o ON o.tenant_id = ${tenantId} AND o.id = g.jti ORDER BY g.ord`,
  );
  yield sql`INSERT INTO set_poll_acks (tenant_id, sequence, err, description, acked_at)
    SELECT ${tenantId}, o.sequence, g.err, g.description, ${at} FROM ${given} JOIN outbox o ON o.tenant_id = ${tenantId} AND o.id = g.jti
    WHERE true ON CONFLICT (tenant_id, sequence) DO NOTHING`;
  // Moves the tenant's cursor over the acknowledged prefix and drops the rows it covers. Only
  // committed acknowledgements (and this write's) count, so a concurrent poll can hold the cursor
  // back, never push it past an event nobody acknowledged.
  yield sql`WITH cursor AS (
       SELECT coalesce((SELECT acked_through FROM set_poll_cursors WHERE tenant_id = ${tenantId}), 0) AS through
     ), bound AS (
       SELECT coalesce(
         (SELECT min(o.sequence) - 1 FROM outbox o, cursor c WHERE o.tenant_id = ${tenantId} AND o.sequence > c.through
            AND NOT EXISTS (SELECT 1 FROM set_poll_acks a WHERE a.tenant_id = o.tenant_id AND a.sequence = o.sequence)),
         (SELECT max(sequence) FROM set_poll_acks WHERE tenant_id = ${tenantId}),
         0) AS next
     )
     INSERT INTO set_poll_cursors (tenant_id, acked_through)
     SELECT ${tenantId}, b.next FROM bound b, cursor c WHERE b.next > c.through
     ON CONFLICT (tenant_id) DO UPDATE SET acked_through = CASE
       WHEN excluded.acked_through > set_poll_cursors.acked_through THEN excluded.acked_through ELSE set_poll_cursors.acked_through END`;
  yield sql`DELETE FROM set_poll_acks WHERE tenant_id = ${tenantId}
    AND sequence <= (SELECT acked_through FROM set_poll_cursors WHERE tenant_id = ${tenantId})`;
  return matched.map((r) => r.id);
}

/**
 * The events of the tenants a relay just leased, each after its sink's delivery cursor. Run after
 * the lease is taken, so that it sees the cursor the previous holder committed before it released
 * or lost the lease.
 */
export function* claimedEvents(tenantIds: readonly string[], sink: string, limit: number): Plan<OutboxRecord[]> {
  const out: OutboxRecord[] = [];
  for (const tenantId of [...tenantIds].sort()) {
    if (out.length >= limit) break;
    const range = yield* rows<OutboxRow>(
      sql`${OUTBOX_SELECT} WHERE o.tenant_id = ${tenantId}
       AND o.sequence > coalesce((SELECT delivered_sequence FROM outbox_delivery WHERE sink = ${sink} AND tenant_id = ${tenantId}), 0)
     ORDER BY o.sequence LIMIT ${limit - out.length}`,
    );
    for (const row of range) out.push(toRecord(row));
  }
  return out;
}
