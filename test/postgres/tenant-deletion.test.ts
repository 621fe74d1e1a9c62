import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';

const options = await postgresTestOptions();
const T0 = '2026-12-06T00:00:00.000Z';

/**
 * PostgreSQL's outbox has no foreign key to tenants (its migration 113), so a tenant's deletion
 * deletes its events itself (src/store/sql/admin.ts, tenantDeletion). A create holds its tenant's
 * row (its own foreign key's check, FOR KEY SHARE) until it commits; a deletion that meets it waits
 * at the tenant's row, and the create's event, committed meanwhile, must go with the tenant.
 */
skipping(options.skip, () =>
  describe('PostgreSQL: deleting a tenant while one of its writes commits', () => {
    let scratch: Scratch;
    let store: PostgresStore;

    before(async () => {
      scratch = await createTestDatabase();
      store = new PostgresStore({ connectionString: scratch.url, poolSize: 4, readConnections: 0 });
      await store.migrate();
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    it('the event of a write that committed while the deletion waited for the tenant row is deleted too', async () => {
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: 'doomed', createdAt: T0 });
      await store.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: 'ada' }, now: T0 });
      const writer = await store.pool.connect();
      try {
        // What a create holds until it commits: its tenant's row, by its foreign key's check, and its event.
        await writer.query('BEGIN');
        await writer.query('SELECT 1 FROM tenants WHERE id = $1 FOR KEY SHARE', [tenantId]);
        await writer.query(
          `INSERT INTO outbox (tenant_id, id, type, subject, source, time, time_ms, data)
           VALUES ($1, $2, 'scim.user.created', 'Users/late', '/scim', $3, 0, '{}')`,
          [tenantId, randomUUID(), T0],
        );
        const deleted = store.deleteTenant(tenantId);
        // The deletion reaches the tenant's row and waits there for the writer.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await store.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM tenants%'`,
          );
          if (rows.length > 0) break;
          assert.ok(Date.now() < deadline, 'the deletion never waited for the writer');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await writer.query('COMMIT');
        // The store's create above wrote no event (the service gives a write its events).
        assert.deepEqual(await deleted, { resources: 1, tokens: 0, events: 1 });
      } finally {
        writer.release();
      }
      const { rows } = await store.pool.query('SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1', [tenantId]);
      assert.equal(rows[0].n, 0);
    });
  }),
);
