import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';

const options = await postgresTestOptions();
const T0 = '2026-12-07T00:00:00.000Z';
const EVENTS = 2000;
const PARTIAL = ['outbox_tenant_sequence', 'outbox_subject'];

/**
 * PostgreSQL numbers a write's event after commit (src/store/postgres/sequencer.ts), and two of the
 * outbox's indexes hold sequenced events only (migration 116, docs/postgresql.md "What an event
 * writes"): the insert on every write's path skips them, and every reader of them must still be
 * able to use them, by a condition on the sequence.
 */
skipping(options.skip, () =>
  describe('PostgreSQL: the outbox indexes of sequenced events', () => {
    let scratch: Scratch;
    let store: PostgresStore;

    before(async () => {
      scratch = await createTestDatabase();
      // Every session of this store plans as if a scan of the table cost too much to choose:
      // a reader that cannot use its index shows it by reading another one.
      const url = new URL(scratch.url);
      url.searchParams.set('options', '-c enable_seqscan=off');
      store = new PostgresStore({ connectionString: url.toString(), poolSize: 2, readConnections: 0 });
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    const sizes = async () => {
      const { rows } = await store.pool.query<{ name: string; bytes: string }>(
        'SELECT name, pg_relation_size(name::regclass) AS bytes FROM unnest($1::text[]) AS name ORDER BY name',
        [PARTIAL],
      );
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
    };

    /** A tenant with EVENTS events waiting for their sequence, the nth of them about `Users/<n % 20>`. */
    const tenantWithEvents = async () => {
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: tenantId, createdAt: T0 });
      await store.pool.query(
        `INSERT INTO outbox (tenant_id, id, type, subject, source, time, time_ms, data)
         SELECT $1, gen_random_uuid()::text, 'scim.user.updated', 'Users/' || (n % 20), '/scim', $2, n, '{}'
         FROM generate_series(1, $3) AS n`,
        [tenantId, T0, EVENTS],
      );
      return tenantId;
    };

    it('events waiting for their sequence add no entry to the indexes of sequenced events', async () => {
      const empty = await sizes();
      const tenantId = await tenantWithEvents();
      assert.deepEqual(await sizes(), empty);
      assert.equal(await store.latestSequence(tenantId), EVENTS, 'the sequencer numbered every event');
      const numbered = await sizes();
      for (const name of PARTIAL) assert.ok(numbered[name]! > empty[name]!, `${name} holds the numbered events`);
    });

    it('the readers of sequenced events probe those indexes', async () => {
      const scans = async () => {
        const { rows } = await store.pool.query<{ name: string; scans: string }>(
          'SELECT indexrelname AS name, idx_scan AS scans FROM pg_stat_user_indexes WHERE indexrelname = ANY($1) ORDER BY indexrelname',
          [PARTIAL],
        );
        return Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
      };
      const tenantId = await tenantWithEvents();
      assert.equal(await store.latestSequence(tenantId), EVENTS);
      const before = await scans();
      const read = await store.readEvents(tenantId, EVENTS - 10, 100);
      assert.deepEqual(
        read.map((e) => e.sequence),
        Array.from({ length: 10 }, (_, i) => EVENTS - 9 + i),
      );
      // A delta walk's page: each resource once, at its first change after `since` (one probe of
      // outbox_subject per event read).
      const first = await store.firstChanges(tenantId, 100, 100, EVENTS, 50);
      assert.deepEqual(
        first.map((c) => c.subject),
        Array.from({ length: 20 }, (_, i) => `Users/${(101 + i) % 20}`),
      );
      // Statistics reach the shared counters when a session goes idle, within about a second.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const now = await scans();
        if (PARTIAL.every((name) => now[name]! > before[name]!)) break;
        assert.ok(Date.now() < deadline, `no scan of ${PARTIAL.filter((name) => now[name]! <= before[name]!).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
  }),
);
