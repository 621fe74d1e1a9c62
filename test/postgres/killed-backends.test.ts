import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTestDatabase, POSTGRES_TEST_URL, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';
import { type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

/**
 * Issue 19, failure 1: a PostgreSQL backend that dies under a request (pg_terminate_backend, a
 * failover, a reset connection) costs that request a 503 with Retry-After, never the process.
 * Only the backends of this test's own database are terminated: other suites run beside it.
 */

const options = await postgresTestOptions();
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const replaceTitle = (title: string) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: title }] });

skipping(options.skip, () =>
  describe('PostgreSQL backends terminated under load: 503 for the requests in flight, the process lives on', () => {
    let scratch: Scratch;
    let harness: Harness;
    let admin: pg.Client;
    let database: string;

    let hook: HttpServer;
    /** The events the webhook sink delivered, by subject: the relay works through the kills too. */
    const delivered = new Set<string>();

    /**
     * Terminates every scimd backend of this test's database and waits until they have exited, so
     * that "the next request" comes after the outage; returns how many it terminated.
     */
    const terminate = async (): Promise<number> => {
      const { rows } = await admin.query<{ pid: number }>(
        `WITH ours AS MATERIALIZED (
         SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scimd' AND pid <> pg_backend_pid()
       )
       SELECT pid FROM ours WHERE pg_terminate_backend(pid)`,
        [database],
      );
      const pids = rows.map((r) => r.pid);
      while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids])).rows.length > 0) await sleep(5);
      return pids.length;
    };

    const assertUnavailable = (reply: Reply, what: string) => {
      assert.equal(reply.status, 503, `${what}: ${reply.raw}`);
      assert.equal(reply.headers['retry-after'], '5', what);
      assert.equal(reply.body.status, '503', what);
    };

    before(async () => {
      scratch = await createTestDatabase();
      database = new URL(scratch.url).pathname.slice(1);
      hook = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const event = JSON.parse(body) as { type: string; subject: string };
          delivered.add(`${event.type} ${event.subject}`);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
      const sink = `http://127.0.0.1:${(hook.address() as { port: number }).port}/events#secret=killed-backends`;
      harness = await startHarness(
        { SCIMD_DATABASE_URL: scratch.url, SCIMD_EVENT_SINKS: sink },
        { server: { relay: { pollMs: 50, backoffBaseMs: 50, backoffMaxMs: 200 } } },
      );
      admin = new pg.Client({ connectionString: POSTGRES_TEST_URL, application_name: 'scimd-test-killer' });
      await admin.connect();
    });
    after(async () => {
      await admin?.end();
      await harness?.close();
      await new Promise((resolve) => hook?.close(resolve));
      await scratch?.drop();
    });

    it('a PATCH whose backend is terminated while it waits inside its transaction answers 503, and the next PATCH succeeds', async () => {
      const created = await harness.request('POST', '/Users', { body: userBody('locked@example.com') });
      assert.equal(created.status, 201);
      const id: string = created.body.id;
      // A row lock held elsewhere keeps the PATCH's transaction open on its checked-out connection.
      const blocker = new pg.Client({ connectionString: scratch.url, application_name: 'scimd-test-blocker' });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT 1 FROM resources WHERE id = $1 FOR UPDATE', [id]);
        const patch = harness.request('PATCH', `/Users/${id}`, { body: replaceTitle('during') });
        for (let waited = 0; ; waited += 20) {
          const { rows } = await admin.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'scimd' AND wait_event_type = 'Lock'`,
            [database],
          );
          if (rows.length > 0) break;
          assert.ok(waited < 5000, 'the PATCH never waited for the row lock');
          await sleep(20);
        }
        assert.ok((await terminate()) > 0);
        assertUnavailable(await patch, 'the PATCH in flight');
      } finally {
        await blocker.end();
      }
      // The pool has since seen its idle connections end (their FATAL message), and drops them.
      await sleep(50);
      const next = await harness.request('PATCH', `/Users/${id}`, { body: replaceTitle('after') });
      assert.equal(next.status, 200, next.raw);
      assert.equal((await harness.request('GET', `/Users/${id}`)).body.title, 'after');
    });

    it('PATCH, create and read load survives repeated terminations; nothing acknowledged is lost', async (t) => {
      const patchers = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const reply = await harness.request('POST', '/Users', { body: userBody(`patcher${i}@example.com`) });
          assert.equal(reply.status, 201);
          return { id: reply.body.id as string, acknowledged: -1, attempted: -1 };
        }),
      );
      const statuses = { patch: new Map<number, number>(), create: new Map<number, number>(), read: new Map<number, number>() };
      const count = (kind: keyof typeof statuses, reply: Reply) => {
        statuses[kind].set(reply.status, (statuses[kind].get(reply.status) ?? 0) + 1);
        if (reply.status === 503) assert.equal(reply.headers['retry-after'], '5');
        else assert.ok(reply.status < 300, `${kind}: ${reply.status} ${reply.raw}`);
      };
      const createdIds: string[] = [];
      let running = true;

      const patchLoop = async (p: (typeof patchers)[number]) => {
        for (let n = 0; running; n++) {
          p.attempted = n;
          const reply = await harness.request('PATCH', `/Users/${p.id}`, { body: replaceTitle(`t${n}`) });
          count('patch', reply);
          if (reply.status === 200) p.acknowledged = n;
        }
      };
      let serial = 0;
      const createLoop = async () => {
        while (running) {
          const reply = await harness.request('POST', '/Users', { body: userBody(`load${serial++}@example.com`) });
          count('create', reply);
          if (reply.status === 201) createdIds.push(reply.body.id);
        }
      };
      const readLoop = async (i: number) => {
        while (running) {
          const p = patchers[i % patchers.length]!;
          count('read', await harness.request('GET', i % 2 === 0 ? `/Users/${p.id}` : '/Users?filter=userName eq "patcher0@example.com"'));
        }
      };
      let kills = 0;
      let terminated = 0;
      const killer = async () => {
        await sleep(200);
        for (; kills < 6; kills++) {
          const t0 = Date.now();
          terminated += await terminate();
          console.error('TERM', Date.now() - t0);
          await sleep(300);
        }
        running = false;
      };
      await Promise.all([...patchers.map(patchLoop), createLoop(), createLoop(), readLoop(0), readLoop(1), killer()]);
      const summary = Object.entries(statuses).map(([kind, m]) => `${kind} ${[...m].map(([s, n]) => `${s}×${n}`).join(' ')}`);
      t.diagnostic(`${kills} rounds terminated ${terminated} backends; ${summary.join('; ')}`);
      assert.ok(terminated > kills, 'the rounds terminated backends in use');

      // The next requests of each kind succeed (the pool drops the dead connections on its own).
      await sleep(50);
      const fresh = await harness.request('POST', '/Users', { body: userBody('after-the-kills@example.com') });
      assert.equal(fresh.status, 201, fresh.raw);
      assert.equal((await harness.request('GET', `/Users/${fresh.body.id}`)).status, 200);
      for (const p of patchers) {
        const stored = (await harness.request('GET', `/Users/${p.id}`)).body.title as string | undefined;
        // The last acknowledged value, or a later one whose 503 came after its commit.
        const n = Number(stored?.slice(1) ?? -1);
        assert.ok(n >= p.acknowledged && n <= p.attempted, `patcher ${p.id}: stored ${stored}, acknowledged t${p.acknowledged}`);
        assert.equal((await harness.request('PATCH', `/Users/${p.id}`, { body: replaceTitle('final') })).status, 200);
      }
      for (const id of createdIds) assert.equal((await harness.request('GET', `/Users/${id}`)).status, 200, `created ${id} is lost`);
      // And the relay (sequencer, leases, cursors: each on connections that were terminated) delivers
      // the event of every acknowledged create.
      const missing = () => createdIds.filter((id) => !delivered.has(`scim.user.created Users/${id}`));
      for (let waited = 0; missing().length > 0 && waited < 10_000; waited += 50) await sleep(50);
      assert.deepEqual(missing(), [], 'events of acknowledged creates were never delivered');
      assert.ok(createdIds.length > 0 && (statuses.patch.get(200) ?? 0) > 0 && (statuses.read.get(200) ?? 0) > 0);
    });
  }),
);
