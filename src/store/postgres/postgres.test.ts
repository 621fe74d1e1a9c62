import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import pg from 'pg';
import { storeContract } from '../../../test/store/contract.ts';
import { extensionsContract } from '../../../test/store/extensions-contract.ts';
import { filterBuilders } from '../../../test/store/filters.ts';
import { ScimError } from '../../errors/scim-error.ts';
import { parseDateTime } from '../../schema/datetime.ts';
import { openStore } from '../open.ts';
import type { Store } from '../ports/store.ts';
import { compileFilter } from '../sql/compile-filter.ts';
import { after, before, describe, it, skipping } from '../testing/skippable.ts';
import { postgresDialect } from './dialect.ts';
import { StoreUnavailableError } from './errors.ts';
import { MIGRATIONS } from './migrations.ts';
import { PipelinedStatements } from './pipelined-statements.ts';
import { toPostgres } from './placeholders.ts';
import { PostgresStore, parsePostgresUrl } from './store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from './testing.ts';

const options = await postgresTestOptions();
const scratches: Scratch[] = [];
after(async () => {
  for (const s of scratches) await s.drop();
});

async function freshDatabase(): Promise<string> {
  const scratch = await createTestDatabase();
  scratches.push(scratch);
  return scratch.url;
}

skipping(options.skip, () => {
  let contractUrl = '';
  storeContract('postgres', async () => openStore((contractUrl = await freshDatabase())), {
    // A second pool on the same database: what another instance sees.
    sibling: () => openStore(contractUrl),
  });
  let extensionsUrl = '';
  extensionsContract('postgres', async () => openStore((extensionsUrl = await freshDatabase())), {
    sibling: () => openStore(extensionsUrl),
  });
});

const T0 = '2024-01-01T00:00:00.000Z';

function isScim(status: number, scimType?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.scimType, scimType);
    return true;
  };
}

skipping(options.skip, () =>
  describe('PostgreSQL store', () => {
    let url: string;
    let store: PostgresStore;
    before(async () => {
      url = await freshDatabase();
      store = PostgresStore.fromUrl(url);
      await store.migrate();
    });
    after(() => store?.close());

    const open = async () => {
      const s = PostgresStore.fromUrl(url);
      await s.migrate();
      return s;
    };

    const versions = MIGRATIONS.map((m) => m.version).sort((a, b) => a - b);

    it('applies migrations once and reports nothing the second time', async () => {
      const s = PostgresStore.fromUrl(await freshDatabase());
      try {
        assert.deepEqual(await s.migrate(), versions);
        assert.deepEqual(await s.migrate(), []);
      } finally {
        await s.close();
      }
    });

    it('migrations started at once from several pools apply each version exactly once (advisory lock)', async () => {
      const fresh = await freshDatabase();
      const stores = [0, 1, 2].map(() => PostgresStore.fromUrl(fresh));
      try {
        const results = await Promise.all(stores.map((s) => s.migrate()));
        assert.deepEqual(results.map((r) => r.length).sort(), [0, 0, versions.length]);
        const rows = await stores[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(
          rows.rows.map((r) => r.version),
          versions,
        );
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('reads the pool size and timeouts from the URL, and hides them from libpq', () => {
      const parsed = parsePostgresUrl(
        'postgres://u:p@db.example:5433/scim?pool=3&statement_timeout=2000&connect_timeout=2&sslmode=disable',
      );
      assert.equal(parsed.poolSize, 3);
      assert.equal(parsed.statementTimeoutMs, 2000);
      assert.equal(parsed.connectTimeoutMs, 2000);
      assert.equal(parsed.connectionString, 'postgres://u:p@db.example:5433/scim?sslmode=disable');
      assert.throws(() => parsePostgresUrl('postgres://h/db?pool=zero'), /pool must be a positive number/);
      const s = PostgresStore.fromUrl(`${url}?pool=3`);
      assert.equal((s.pool as unknown as { options: { max: number } }).options.max, 3);
      return s.close();
    });

    it("a request log batch's INSERT is one prepared statement whichever of its values are null", async () => {
      const store = PostgresStore.fromUrl(`${url}?pool=1`);
      const entry = (i: number, nulls: boolean) => ({
        tenantId: 'log-texts',
        time: T0,
        method: 'POST',
        path: '/Users',
        query: '',
        status: nulls ? 201 : 409,
        scimType: nulls ? undefined : 'uniqueness',
        latencyMs: 1,
        requestId: `r${i}`,
        tokenId: nulls ? undefined : 'tok_1',
        client: 'other',
        userAgent: nulls ? undefined : 'Okta SCIM Client',
        resourceId: nulls ? undefined : 'u-1',
        requestBody: nulls ? undefined : '{}',
        requestBytes: 2,
        requestCut: false,
        responseBody: nulls ? undefined : '{}',
        responseBytes: 2,
        responseCut: false,
        operations: undefined,
      });
      try {
        // One connection: every batch's statements are prepared on it. Batches of 1 and 4 rows,
        // each with a different mix of nulls and strings.
        await store.appendRequests([entry(0, true)]);
        await store.appendRequests([entry(1, false)]);
        await store.appendRequests([0, 1, 2, 3].map((i) => entry(i, i % 2 === 0)));
        await store.appendRequests([0, 1, 2, 3].map((i) => entry(i, i % 3 === 0)));
        const { rows } = await store.pool.query(
          "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO request_log %'",
        );
        assert.equal(rows[0].n, 2, 'one for 1-row batches, one for 4-row batches');
      } finally {
        await store.close();
      }
    });

    it('two instances creating the same userName at once: exactly one succeeds, the other is 409 uniqueness', async () => {
      const a = await open();
      const b = await open();
      try {
        const tenantId = randomUUID();
        await a.createTenant({ id: tenantId, name: `race-${tenantId}`, createdAt: T0 });
        for (let i = 0; i < 20; i++) {
          const results = await Promise.allSettled([
            a.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: `racer${i}` }, now: T0 }),
            b.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: `RACER${i}` }, now: T0 }),
          ]);
          assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${i}`);
          const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
          isScim(409, 'uniqueness')(rejected.reason);
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('concurrent member adds to one group from two instances all take effect', async () => {
      const a = await open();
      const b = await open();
      try {
        const tenantId = randomUUID();
        await a.createTenant({ id: tenantId, name: `members-${tenantId}`, createdAt: T0 });
        const users: string[] = [];
        for (let i = 0; i < 40; i++) {
          users.push(
            (await a.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: `mu${i}` }, now: T0 })).resource.id,
          );
        }
        const g = (await a.create(tenantId, { resourceType: 'Group', id: randomUUID(), doc: { displayName: 'shared' }, now: T0 })).resource;
        // As the service does for a PATCH: the change computed under the group's row lock, never retried.
        const add = (s: Store, value: string) =>
          s.update(tenantId, {
            resourceType: 'Group',
            id: g.id,
            change: () => ({ now: T0, memberOps: [{ kind: 'add', members: [{ value }] }] }),
          });
        await Promise.all(users.map((u, i) => add(i % 2 === 0 ? a : b, u)));
        const members = (await a.get(tenantId, 'Group', g.id, { members: true }))!.members!.map((m) => m.value);
        assert.deepEqual([...members].sort(), [...users].sort());
        assert.equal((await a.get(tenantId, 'Group', g.id, {}))!.version, 1 + users.length);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('events are numbered when they commit: an open transaction delays no one, and sequences stay gap-free', async () => {
      const s = await open();
      const slow = await s.pool.connect();
      try {
        const tenantId = randomUUID();
        await s.createTenant({ id: tenantId, name: `seq-${tenantId}`, createdAt: T0 });
        const event = (id: string) =>
          slow.query(
            `INSERT INTO outbox (tenant_id, id, type, subject, source, time, time_ms, data) VALUES ($1, $2, 'scim.user.created', 'Users/x', '/t', $3, 0, '{}')`,
            [tenantId, id, T0],
          );
        await slow.query('BEGIN');
        await event('early-but-slow');
        // A later writer (higher position) commits first: it gets the first number at once.
        const created = await s.create(tenantId, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'fast' },
          now: T0,
          events: () => [{ id: 'late-but-fast', type: 'scim.user.created', subject: 'Users/y', source: '/t', time: T0, data: {} }],
        });
        assert.equal(created.resource.version, 1);
        assert.deepEqual(
          (await s.readEvents(tenantId, 0, 10)).map((e) => [e.id, e.sequence]),
          [['late-but-fast', 1]],
        );
        await slow.query('COMMIT');
        assert.deepEqual(
          (await s.readEvents(tenantId, 0, 10)).map((e) => [e.id, e.sequence]),
          [
            ['late-but-fast', 1],
            ['early-but-slow', 2],
          ],
        );
        // A rolled-back event takes no number.
        await slow.query('BEGIN');
        await event('never');
        await slow.query('ROLLBACK');
        await s.create(tenantId, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'after' },
          now: T0,
          events: () => [{ id: 'after-rollback', type: 'scim.user.created', subject: 'Users/z', source: '/t', time: T0, data: {} }],
        });
        assert.deepEqual(
          (await s.readEvents(tenantId, 2, 10)).map((e) => [e.id, e.sequence]),
          [['after-rollback', 3]],
        );
      } finally {
        slow.release();
        await s.close();
      }
    });

    it('refuses U+0000 in a document (invalidValue) and finds nothing for an id holding one', async () => {
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: `nul-${tenantId}`, createdAt: T0 });
      await assert.rejects(
        store.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName: 'a\u0000b' }, now: T0 }),
        isScim(400, 'invalidValue'),
      );
      await assert.rejects(
        store.create(tenantId, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'ok', emails: [{ value: 'x\u0000' }] },
          now: T0,
        }),
        isScim(400, 'invalidValue'),
      );
      assert.equal(await store.get(tenantId, 'User', '\u0000', {}), undefined);
      await assert.rejects(store.delete(tenantId, 'User', 'a\u0000'), isScim(404));
      // A member id holding one names nothing: an unknown member, skipped or refused as the rules say.
      const g = (await store.create(tenantId, { resourceType: 'Group', id: randomUUID(), doc: { displayName: 'g' }, now: T0 })).resource;
      const add = { kind: 'add', members: [{ value: '\u0000' }] } as const;
      await assert.rejects(
        store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({ now: T0, memberOps: [add], memberRules: { unknown: 'refuse', wrongType: 'refuse' } }),
        }),
        isScim(400, 'invalidValue'),
      );
      const skipped = await store.update(tenantId, { resourceType: 'Group', id: g.id, change: () => ({ now: T0, memberOps: [add] }) });
      assert.deepEqual(skipped.memberDelta, { added: [], removed: [], skipped: ['\u0000'] });
    });

    it('scim_instant is parseDateTime, and scim_fold is toLowerCase, on the documented forms', async () => {
      const dates = [
        '2024-01-01T00:00:00Z',
        '2024-01-01T00:00:00.5Z',
        '2024-01-01T00:00:00.123456Z',
        '2024-02-29T12:00:00+02:00',
        '2023-02-29T12:00:00Z',
        '2023-12-31T24:00:00Z',
        '2023-12-31T24:00:00.1Z',
        '0001-01-01T00:00:00Z',
        '0099-03-01T00:00:00-14:00',
        '9999-12-31T23:59:59.999+14:00',
        '2024-01-01T00:00:00+14:01',
        '2024-01-01 00:00:00Z',
        '2024-1-01T00:00:00Z',
        '2024-01-01T00:00:60Z',
        '2024-01-01T00:00:00',
        '２０２４-01-01T00:00:00Z',
        '2024-13-01T00:00:00Z',
        '1969-12-31T23:59:59.999Z',
      ];
      const { rows } = await store.pool.query<{ v: number | null }>(
        'SELECT scim_instant(d) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(d, o) ORDER BY o',
        [dates],
      );
      assert.deepEqual(
        rows.map((r) => r.v ?? undefined),
        dates.map(parseDateTime),
      );
      const words = ['ÅNGSTRÖM', 'İSTANBUL', 'ΣΑΣ ΑΣ.', 'STRASSE ß ẞ', 'ǅ', 'ＡＢＣ', '😀Ω', 'DŽ'];
      const folded = await store.pool.query<{ v: string }>(
        'SELECT scim_fold(w) AS v FROM unnest($1::text[]) WITH ORDINALITY AS t(w, o) ORDER BY o',
        [words],
      );
      assert.deepEqual(
        folded.rows.map((r) => r.v),
        words.map((w) => w.toLowerCase()),
      );
    });

    describe('query plans use the indexes', () => {
      const f = filterBuilders();
      const tenantId = 'plan-tenant';
      before(async () => {
        await store.createTenant({ id: tenantId, name: tenantId, createdAt: T0 });
        // Enough rows that a sequential scan is not the cheaper plan.
        await store.pool.query(
          `INSERT INTO resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key, display_name, external_id)
         SELECT $1, 'User', 'u' || i, jsonb_build_object('userName', 'user' || i), 1, 0, 0, 'user' || i, 'd' || i, 'e' || i
         FROM generate_series(1, 20000) AS i`,
          [tenantId],
        );
        await store.pool.query(
          `INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type)
         SELECT row_key, 'emails', 0, tenant_id, name_key || '@example.com', 'work' FROM resources WHERE tenant_id = $1`,
          [tenantId],
        );
        await store.pool.query('ANALYZE');
      });

      const plan = async (filter: ReturnType<typeof f.cmp>) => {
        const where = compileFilter(filter, { dialect: postgresDialect, tenantId, resourceType: 'User' });
        const q = toPostgres(where);
        const shifted = q.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + 2}`);
        const { rows } = await store.pool.query(
          `EXPLAIN SELECT r.doc FROM resources r WHERE r.tenant_id = $1::text AND r.resource_type = $2::text AND ${shifted} ORDER BY r.row_key LIMIT 100`,
          [tenantId, 'User', ...q.values],
        );
        return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      };

      it('userName eq → the unique name index', async () => {
        assert.match(await plan(f.cmp('User', 'userName', 'eq', 'USER77')), /Index Scan using resources_name/);
      });
      it('userName sw → a range on the name index', async () => {
        assert.match(await plan(f.cmp('User', 'userName', 'sw', 'user1999')), /resources_name[\s\S]*name_key >=/);
      });
      it('externalId eq → the externalId index', async () => {
        assert.match(await plan(f.cmp('User', 'externalId', 'eq', 'e77')), /resources_external_id/);
      });
      it('emails.value eq → the values index, no sequential scan of resources', async () => {
        const detail = await plan(f.cmp('User', 'emails.value', 'eq', 'user77@example.com'));
        assert.match(detail, /resource_values_lookup/);
        assert.doesNotMatch(detail, /Seq Scan on resources/);
      });
    });

    it('plain reads share two pipelined connections: 300 at once each get their own row', async (t) => {
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: `pipelined-${tenantId}`, createdAt: T0 });
      const ids = Array.from({ length: 30 }, () => randomUUID());
      for (const [i, id] of ids.entries())
        await store.create(tenantId, { resourceType: 'User', id, doc: { userName: `reader${i}` }, now: T0 });
      // Its own application_name: the backends counted are the reader's, whatever else uses the database.
      const name = `scimd-pipelined-${randomUUID().slice(0, 8)}`;
      const backends = async () =>
        Number((await store.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [name])).rows[0].n);
      const reader = PostgresStore.fromUrl(`${url}?application_name=${name}`);
      // The clock stands still: no statement has been in flight longer than a connection may
      // stall (25 ms) before reads pass it over for the pool, however slow a loaded machine is.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      try {
        const reads = Array.from({ length: 300 }, (_, i) => reader.get(tenantId, 'User', ids[i % ids.length]!, { groups: true }));
        const results = await Promise.all(reads);
        results.forEach((r, i) => assert.equal(r?.doc['userName'], `reader${i % ids.length}`));
        assert.equal(await backends(), 2, 'the reads ran on exactly two connections');
        assert.equal(reader.poolState().total, 0, 'no read went to the pool');
      } finally {
        t.mock.timers.reset();
        await reader.close();
      }
      assert.equal(parsePostgresUrl(`${url}?read_connections=0`).readConnections, 0);
      const pooled = PostgresStore.fromUrl(`${url}?read_connections=0`);
      try {
        assert.equal((await pooled.get(tenantId, 'User', ids[3]!, {}))?.doc['userName'], 'reader3');
        assert.equal(pooled.poolState().total, 1, 'without pipelined connections a read takes a pooled one');
      } finally {
        await pooled.close();
      }
    });

    it('one-statement writes (creates, guarded user updates) go out on two pipelined connections of their own', async (t) => {
      const tenantId = randomUUID();
      const name = `scimd-writes-${randomUUID().slice(0, 8)}`;
      const backends = async () =>
        Number((await store.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [name])).rows[0].n);
      // Reads through the pool, so that what is not in the pool is the writes' own connections.
      const writer = PostgresStore.fromUrl(`${url}?application_name=${name}&read_connections=0`);
      // The clock held still: the statistics keeper checks at the first write and not again, so
      // that no check of its own takes a pooled connection between the two counts below.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      try {
        await writer.createTenant({ id: tenantId, name: `writes-${tenantId}`, createdAt: T0 });
        const ids = Array.from({ length: 40 }, () => randomUUID());
        await Promise.all(
          ids.map((id, i) => writer.create(tenantId, { resourceType: 'User', id, doc: { userName: `writer${i}` }, now: T0 })),
        );
        const retitle = (id: string) =>
          writer.update(tenantId, { resourceType: 'User', id, change: (r) => ({ doc: { ...r.doc, title: 'Pipelined' }, now: T0 }) });
        const updated = await Promise.all(ids.map(retitle));
        updated.forEach((w) => assert.equal(w.resource.version, 2));
        const pooled = writer.poolState().total;
        assert.equal(await backends(), pooled + 2, 'the writes ran on exactly two connections besides the pool');
        for (const id of ids) assert.equal((await writer.get(tenantId, 'User', id, {}))?.doc['title'], 'Pipelined');
        assert.equal(parsePostgresUrl(`${url}?write_connections=0`).writeConnections, 0);
      } finally {
        t.mock.timers.reset();
        await writer.close();
      }
    });

    it('a statement failing in the middle of a pipeline fails alone; the ones around it get their answers', async () => {
      const reads = new PipelinedStatements({ connectionString: url }, 1);
      try {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 41 }, (_, i) =>
            reads.query<{ n: number }>(i === 20 ? { text: 'SELECT 1 / 0 AS n' } : { text: 'SELECT $1::int AS n', values: [i] }),
          ),
        );
        outcomes.forEach((outcome, i) => {
          if (i === 20) assert.match(String(outcome.status === 'rejected' && outcome.reason), /division by zero/);
          else assert.deepEqual(outcome.status === 'fulfilled' && outcome.value, [{ n: i }]);
        });
      } finally {
        await reads.close();
      }
    });

    it('a slow read holds up only its own pipelined connection: later reads pass it by, and go to the pool when all are stalled', async (t) => {
      const reads = new PipelinedStatements({ connectionString: url }, 2);
      // A read that is slow until the test says so: it waits for an advisory lock held here.
      const holder = new pg.Client({ connectionString: url });
      await holder.connect();
      const key = randomInt(1, 2 ** 31);
      await holder.query('SELECT pg_advisory_lock($1)', [key]);
      const slowRead = () => {
        const sent = reads.query({ text: 'SELECT pg_advisory_xact_lock_shared($1)', values: [key] });
        assert.ok(sent, 'a connection took the slow read');
        const read: { done: boolean; answer?: Promise<unknown> } = { done: false };
        read.answer = sent.then(() => (read.done = true));
        return read;
      };
      const quickReads = () =>
        Array.from({ length: 20 }, (_, i) => reads.query<{ n: number }>({ text: 'SELECT $1::int AS n', values: [i] }));
      // The clock moves only when the test moves it: "stalled" (oldest statement in flight for
      // more than 25 ms) is decided by the test, not by how loaded the machine is.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      try {
        await Promise.all([reads.query({ text: 'SELECT 1' }), reads.query({ text: 'SELECT 1' })]);
        const slow = slowRead();
        t.mock.timers.tick(100);
        const passing = await Promise.all(quickReads());
        passing.forEach((rows, i) => assert.deepEqual(rows, [{ n: i }]));
        assert.equal(slow.done, false, 'the quick reads were answered while the slow one still waits');
        const slower = slowRead();
        t.mock.timers.tick(100);
        // Both connections are now stalled: the reads are not taken, the store sends them to its pool.
        assert.deepEqual(
          quickReads(),
          Array.from({ length: 20 }, () => undefined),
        );
        await holder.query('SELECT pg_advisory_unlock($1)', [key]);
        await Promise.all([slow.answer, slower.answer]);
      } finally {
        t.mock.timers.reset();
        await holder.end();
        await reads.close();
      }
    });

    it('an unreachable database is 503 with Retry-After, quickly, and never a hang', async () => {
      const down = PostgresStore.fromUrl('postgres://postgres@127.0.0.1:1/none?connect_timeout=1');
      try {
        const started = Date.now();
        for (const attempt of [() => down.ping(), () => down.get('t', 'User', 'x', {}), () => down.migrate()]) {
          await assert.rejects(attempt(), (e: unknown) => {
            assert.ok(e instanceof StoreUnavailableError);
            assert.equal(e.status, 503);
            assert.equal(e.headers['retry-after'], '5');
            return true;
          });
        }
        assert.ok(Date.now() - started < 5000);
      } finally {
        await down.close();
      }
    });

    it('a saturated pool is not an outage: the request that waited too long is 503, the next one is served', async () => {
      const busyUrl = new URL(url);
      busyUrl.searchParams.set('pool', '1');
      busyUrl.searchParams.set('read_connections', '0');
      busyUrl.searchParams.set('connect_timeout', '1');
      const s = PostgresStore.fromUrl(busyUrl.toString());
      try {
        await s.ping();
        // The only pooled connection is busy for longer than a request may wait for it (1 s), and
        // free again before the next request has waited that long.
        const busy = s.pool.query('SELECT pg_sleep(1.5)');
        await assert.rejects(s.get('none', 'User', 'none', {}), StoreUnavailableError);
        // Had the wait been taken for a silent database, this would fail at once with 503.
        assert.equal(await s.get('none', 'User', 'none', {}), undefined);
        await busy;
      } finally {
        await s.close();
      }
    });

    it('recovers without a restart when its connections are killed (database restart)', async () => {
      const s = await open();
      try {
        await s.ping();
        await s.get('none', 'User', 'none', {});
        const admin = PostgresStore.fromUrl(url);
        await admin.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        await admin.close();
        // The pool and the pipelined reads drop the dead connections; at worst the first query
        // after the kill is a 503.
        for (const query of [() => s.ping(), () => s.get('none', 'User', 'none', {})]) {
          let ok = false;
          for (let i = 0; i < 3 && !ok; i++) {
            try {
              await query();
              ok = true;
            } catch (error) {
              assert.ok(error instanceof StoreUnavailableError, String(error));
            }
          }
          assert.ok(ok);
        }
      } finally {
        await s.close();
      }
    });
  }),
);
