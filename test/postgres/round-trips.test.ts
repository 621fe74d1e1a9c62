import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PostgresConnection } from '../../src/store/postgres/connection.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { sql, unanswered } from '../../src/store/sql/fragment.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const options = await postgresTestOptions();
// Long enough that a loaded machine's own delays never add up to one more (300 ms was not, with a
// benchmark loading PostgreSQL beside the tests).
const LATENCY_MS = 500;

skipping(options.skip, () =>
  describe('PostgreSQL transactions: BEGIN travels with the first statement (issue 13: a no-op PATCH is two round trips)', () => {
    let scratch: Scratch;
    let proxy: TcpProxy;
    let connection: PostgresConnection;
    let store: PostgresStore;
    const tenantId = randomUUID();
    const userId = randomUUID();
    const T0 = '2026-12-06T00:00:00.000Z';

    before(async () => {
      scratch = await createTestDatabase();
      const direct = new URL(scratch.url);
      proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      await proxy.start();
      const viaProxy = new URL(scratch.url);
      viaProxy.port = String(proxy.port);
      connection = new PostgresConnection({ connectionString: viaProxy.toString(), poolSize: 1, readConnections: 0 });
      // The pool's one connection is opened (and its startup round trips paid) before the clock runs.
      await connection.run('CREATE TABLE marks (n int PRIMARY KEY)');
      await connection.run('INSERT INTO marks VALUES (1)');
      // The first transaction on a new connection pays once for what the link warms up.
      await connection.tx((run) => run('SELECT 1'));
      // The store on the same link, its tenant and user written before the clock runs.
      store = new PostgresStore({
        connectionString: viaProxy.toString(),
        poolSize: 1,
        readConnections: 0,
        statisticsIntervalMs: 3_600_000,
      });
      await store.migrate();
      await store.createTenant({ id: tenantId, name: 'trips', createdAt: T0 });
      await store.create(tenantId, { resourceType: 'User', id: userId, doc: { userName: 'ada', title: 'Engineer' }, now: T0 });
      await store.update(tenantId, { resourceType: 'User', id: userId, change: (r) => ({ doc: { ...r.doc, title: 'warm' }, now: T0 }) });
      proxy.latencyMs = LATENCY_MS;
    });
    after(async () => {
      await store?.close();
      await connection?.close();
      await proxy?.stop();
      await scratch?.drop();
    });

    /** Round trips a call costs, from its duration over a link that delays every answer by LATENCY_MS. */
    async function roundTrips(call: () => Promise<unknown>): Promise<number> {
      const started = performance.now();
      await call();
      return Math.floor((performance.now() - started) / LATENCY_MS);
    }

    it('a transaction of one locked read costs two round trips: BEGIN with the read, then COMMIT', async () => {
      let locked: unknown;
      const trips = await roundTrips(async () => {
        locked = await connection.tx((run) => run('SELECT n FROM marks WHERE n = $1 FOR NO KEY UPDATE', [1]));
      });
      assert.equal(trips, 2);
      assert.deepEqual(locked, [{ n: 1 }]);
    });

    it('each further statement adds one round trip, and its answer is its own', async () => {
      let answers: unknown[] = [];
      const trips = await roundTrips(async () => {
        answers = await connection.tx(async (run) => [await run('SELECT 1 AS n'), await run('SELECT 2 AS n'), await run('SELECT 3 AS n')]);
      });
      assert.equal(trips, 4);
      assert.deepEqual(answers, [[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    });

    it('a failing statement rolls the whole transaction back and reaches the caller', async () => {
      await assert.rejects(
        connection.tx(async (run) => {
          await run('INSERT INTO marks VALUES (2)');
          await run('INSERT INTO marks VALUES (1)');
        }),
        /duplicate key/,
      );
      assert.deepEqual(await connection.run('SELECT n FROM marks ORDER BY n'), [{ n: 1 }]);
    });

    it('a last statement whose answer is not read (an outbox INSERT) travels with COMMIT: a write and its event in two round trips', async () => {
      const trips = await roundTrips(() =>
        connection.tx(async (run) => {
          await run('UPDATE marks SET n = n WHERE n = $1', [1]);
          await run(unanswered(sql`INSERT INTO marks VALUES (${3})`));
        }),
      );
      const stored = await connection.run('SELECT n FROM marks ORDER BY n');
      // Before the assertions: a failure here must not fail the tests after it for a row it left.
      await connection.run('DELETE FROM marks WHERE n = 3');
      assert.equal(trips, 2);
      assert.deepEqual(stored, [{ n: 1 }, { n: 3 }]);
    });

    const updatedEvent = () => ({
      id: randomUUID(),
      type: 'scim.user.updated',
      subject: `Users/${userId}`,
      source: 'https://x/scim/v2',
      time: T0,
      data: {},
    });

    it("a user's PATCH (Entra: replace active and title) costs two round trips: the read, then one statement that writes the row and its event", async () => {
      let answer: Awaited<ReturnType<PostgresStore['update']>> | undefined;
      const event = updatedEvent();
      const trips = await roundTrips(async () => {
        answer = await store.update(tenantId, {
          resourceType: 'User',
          id: userId,
          change: (r) => ({ doc: { ...r.doc, active: false, title: 'Manager' }, now: T0, events: () => [event] }),
        });
      });
      assert.equal(trips, 2);
      assert.deepEqual(answer?.resource.doc, { userName: 'ada', title: 'Manager', active: false });
      const [row] = await connection.run<{ doc: unknown; version: number }>('SELECT doc, version FROM resources WHERE id = $1', [userId]);
      assert.deepEqual(row, { doc: { userName: 'ada', title: 'Manager', active: false }, version: answer?.resource.version });
      assert.equal((await connection.run('SELECT 1 FROM outbox WHERE id = $1', [event.id])).length, 1);
    });

    it('a rename too, and a taken name is 409 with nothing written, not even its event', async () => {
      const trips = await roundTrips(() =>
        store.update(tenantId, { resourceType: 'User', id: userId, change: (r) => ({ doc: { ...r.doc, userName: 'lovelace' }, now: T0 }) }),
      );
      assert.equal(trips, 2);
      proxy.latencyMs = 0;
      await store.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: 'babbage' }, now: T0 });
      const event = updatedEvent();
      await assert.rejects(
        store.update(tenantId, {
          resourceType: 'User',
          id: userId,
          change: (r) => ({ doc: { ...r.doc, userName: 'Babbage' }, now: T0, events: () => [event] }),
        }),
        (error: unknown) => (error as { status?: number; scimType?: string }).status === 409,
      );
      const [row] = await connection.run<{ doc: { userName: string } }>('SELECT doc FROM resources WHERE id = $1', [userId]);
      assert.equal(row?.doc.userName, 'lovelace');
      assert.equal((await connection.run('SELECT 1 FROM outbox WHERE id = $1', [event.id])).length, 0);
      proxy.latencyMs = LATENCY_MS;
    });

    it('a writer in between moves the version: the write changes nothing, and the update runs again on the row as it is now', async () => {
      const direct = new PostgresConnection({ connectionString: scratch.url, poolSize: 1, readConnections: 0 });
      try {
        await direct.run('SELECT 1');
        const seen: number[] = [];
        const event = updatedEvent();
        const pending = store.update(tenantId, {
          resourceType: 'User',
          id: userId,
          change: (r) => {
            seen.push(r.version);
            return { doc: { ...r.doc, title: `on version ${r.version}` }, now: T0, events: () => [event] };
          },
        });
        // The read has been answered; its answer is on its way through the slow link when another writer changes the row.
        await new Promise((resolve) => setTimeout(resolve, LATENCY_MS / 3));
        const [between] = await direct.run<{ version: number }>(
          `UPDATE resources SET version = version + 1, doc = jsonb_set(doc, '{nickName}', '"between"') WHERE id = $1 RETURNING version`,
          [userId],
        );
        const answer = await pending;
        assert.deepEqual(seen, [between!.version - 1, between!.version]);
        assert.equal(answer.resource.version, between!.version + 1);
        const [row] = await direct.run<{ doc: Record<string, unknown>; version: number }>(
          'SELECT doc, version FROM resources WHERE id = $1',
          [userId],
        );
        assert.deepEqual(row, { doc: { ...answer.resource.doc }, version: between!.version + 1 });
        assert.equal(row?.doc['nickName'], 'between');
        assert.equal(row?.doc['title'], `on version ${between!.version}`);
        assert.equal((await direct.run('SELECT 1 FROM outbox WHERE id = $1', [event.id])).length, 1);
      } finally {
        await direct.close();
      }
    });

    it('a change the guarded write leaves to the shared plan (two events): the read, then BEGIN with the locked read, then UPDATE, outbox INSERT and COMMIT together', async () => {
      const events = [updatedEvent(), updatedEvent()];
      const trips = await roundTrips(() =>
        store.update(tenantId, {
          resourceType: 'User',
          id: userId,
          change: (r) => ({ doc: { ...r.doc, title: 'Director' }, now: T0, events: () => events }),
        }),
      );
      assert.equal(trips, 3);
      assert.equal((await connection.run('SELECT 1 FROM outbox WHERE id = ANY($1)', [events.map((e) => e.id)])).length, 2);
    });

    it('a statement the database refuses (a unique violation) leaves its connection in the pool: no new connection for the next', async () => {
      proxy.latencyMs = 0;
      const [before] = await connection.run<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await assert.rejects(connection.run('INSERT INTO marks VALUES (1)'), /duplicate key/);
      const [after] = await connection.run<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      proxy.latencyMs = LATENCY_MS;
      assert.equal(after?.pid, before?.pid);
    });

    it('a statement whose answer is not read still fails its transaction: its error reaches the caller, nothing is committed', async () => {
      await assert.rejects(
        connection.tx(async (run) => {
          await run('INSERT INTO marks VALUES (4)');
          await run(unanswered(sql`INSERT INTO marks VALUES (${1})`));
        }),
        /duplicate key/,
      );
      assert.deepEqual(await connection.run('SELECT n FROM marks ORDER BY n'), [{ n: 1 }]);
      // …and the statements after it fail for that reason alone: the caller gets the first cause.
      await assert.rejects(
        connection.tx(async (run) => {
          await run(unanswered(sql`INSERT INTO marks VALUES (${1})`));
          await run('SELECT 1');
        }),
        /duplicate key/,
      );
    });
  }),
);
