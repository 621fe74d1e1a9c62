import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sequenceOf } from '../../src/events/cloud-event.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { createTenantService } from '../../src/service/tenants.ts';
import { PostgresStore } from '../../src/store/postgres/store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { freePort, type Served, startServe } from '../cli/process.ts';
import { AMQP, amqpConsumer, bounded, brokerSkip, suffix, until } from '../events/brokers.ts';
import { userBody } from '../helpers/harness.ts';

/**
 * Issue 6, "many instances on one database": three `scimd serve` processes on one PostgreSQL
 * database (a scratch database of its own), each with its relay publishing to one RabbitMQ
 * exchange (its own, deleted after), and a concurrent mixed workload spread over all three.
 */

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

async function skipReason(): Promise<{ skip?: string }> {
  const pg = await postgresTestOptions();
  if (pg.skip) return pg;
  return brokerSkip('RabbitMQ', 5672);
}

/** Runs `tasks` with at most `width` in flight. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** Expected event, as compared: type, subject and (membership events) the sorted member ids. */
const key = (type: string, subject: string, members?: readonly string[]) =>
  `${type} ${subject}${members ? ` ${[...members].sort().join(',')}` : ''}`;

describe('three scimd instances on one PostgreSQL database, relaying to RabbitMQ', async () => {
  const opts = await skipReason();
  const exchange = `scim.scale.${suffix()}`;
  let scratch: Scratch | undefined;
  let consumer: Awaited<ReturnType<typeof amqpConsumer>> | undefined;
  const served: Served[] = [];
  const tokens = new Map<string, string>();
  const tenantNames = ['acme', 'globex'];

  before(async () => {
    if (opts.skip) return;
    scratch = await createTestDatabase();
    // Tenants and tokens first, through the store, so that no instance races to bootstrap them.
    const store = PostgresStore.fromUrl(scratch.url);
    try {
      await store.migrate();
      const tenants = createTenantService(store);
      for (const name of tenantNames) {
        await tenants.createTenant(name);
        tokens.set(name, (await tenants.mintToken(name)).token);
      }
    } finally {
      await store.close();
    }
    consumer = await amqpConsumer(exchange);
    const env = {
      SCIMD_DATABASE_URL: `${scratch.url}?pool=6`,
      SCIMD_EVENT_SINKS: `${AMQP}/?exchange=${exchange}`,
    };
    served.push(...(await Promise.all([0, 1, 2].map(() => startServe(env, freePort())))));
  });

  after(async () => {
    await Promise.all(served.map((s) => s.stop()));
    await bounded(() => consumer?.close() ?? Promise.resolve());
    await scratch?.drop();
  });

  /** 412s answered to PATCHes sent without If-Match. */
  let conflicts = 0;
  /** Group PATCHes acknowledged (200/204): 2 tenants × 4 groups × (6 member adds + 4 removes). */
  let patched = 0;

  it('acknowledged writes hold, uniqueness holds, no lost member updates, events gap-free and once each', {
    ...opts,
    timeout: 60_000,
  }, async () => {
    let turn = 0;
    const call = async (tenant: string, method: string, path: string, body?: unknown, via?: number): Promise<Answer> => {
      const answer = await send(tenant, method, path, body, via);
      if (method === 'PATCH' && answer.status === 412) conflicts++;
      if (method === 'PATCH' && (answer.status === 200 || answer.status === 204)) patched++;
      return answer;
    };
    const send = async (tenant: string, method: string, path: string, body?: unknown, via?: number): Promise<Answer> => {
      const instance = served[via ?? turn++ % served.length]!;
      const r = await fetch(`${instance.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tokens.get(tenant)!}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
    };

    /** Per tenant: the events the acknowledged writes must have produced, as keys. */
    const expected = new Map<string, string[]>(tenantNames.map((t) => [t, []]));
    const expect = (tenant: string, k: string) => expected.get(tenant)!.push(k);

    const state = new Map<
      string,
      {
        users: Map<string, string>;
        deleted: Set<string>;
        groups: { id: string; members: Set<string> }[];
        duplicates: Map<string, number[]>;
      }
    >();

    // Phase 1: per tenant, 4 shared groups; 60 distinct creates; 15 userNames created at once
    // through all three instances (exactly one 201 each).
    await Promise.all(
      tenantNames.map(async (tenant) => {
        const s = {
          users: new Map<string, string>(),
          deleted: new Set<string>(),
          groups: [] as { id: string; members: Set<string> }[],
          duplicates: new Map<string, number[]>(),
        };
        state.set(tenant, s);
        for (let g = 0; g < 4; g++) {
          const r = await call(tenant, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `shared-${g}` });
          assert.equal(r.status, 201);
          s.groups.push({ id: r.body.id as string, members: new Set() });
          expect(tenant, key('scim.group.created', `Groups/${r.body.id as string}`));
        }
        const tasks: (() => Promise<void>)[] = [];
        for (let i = 0; i < 60; i++) {
          tasks.push(async () => {
            const userName = `u${i}@${tenant}.example.com`;
            const r = await call(tenant, 'POST', '/Users', userBody(userName));
            assert.equal(r.status, 201, JSON.stringify(r.body));
            s.users.set(r.body.id as string, userName);
            expect(tenant, key('scim.user.created', `Users/${r.body.id as string}`));
          });
        }
        for (let d = 0; d < 15; d++) {
          tasks.push(async () => {
            const userName = `dup${d}@${tenant}.example.com`;
            const answers = await Promise.all([0, 1, 2].map((via) => call(tenant, 'POST', '/Users', userBody(userName), via)));
            s.duplicates.set(
              userName,
              answers.map((a) => a.status),
            );
            for (const a of answers) {
              if (a.status === 201) {
                s.users.set(a.body.id as string, userName);
                expect(tenant, key('scim.user.created', `Users/${a.body.id as string}`));
              } else {
                assert.equal(a.status, 409, JSON.stringify(a.body));
                assert.equal(a.body.scimType, 'uniqueness');
              }
            }
          });
        }
        await pool(tasks, 12);
      }),
    );

    // Phase 2, all at once: PATCHes adding members to the shared groups, each group patched
    // through all three instances concurrently (distinct members per PATCH); deletes of users
    // that are in no group; more creates.
    await Promise.all(
      tenantNames.map(async (tenant) => {
        const s = state.get(tenant)!;
        const ids = [...s.users.keys()];
        const members = ids.slice(0, 48);
        const doomed = ids.slice(48, 58);
        const tasks: (() => Promise<void>)[] = [];
        s.groups.forEach((group, g) => {
          for (let p = 0; p < 6; p++) {
            // Group g gets 12 of the 48 members, 2 per PATCH; groups overlap in members.
            const add = [0, 1].map((k) => members[(g * 6 + p * 2 + k + g * 3) % members.length]!);
            tasks.push(async () => {
              const r = await call(tenant, 'PATCH', `/Groups/${group.id}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'add', path: 'members', value: add.map((value) => ({ value })) }],
              });
              assert.ok(r.status === 200 || r.status === 204, JSON.stringify(r.body));
              const fresh = add.filter((m) => !group.members.has(m));
              for (const m of add) group.members.add(m);
              if (fresh.length > 0) expect(tenant, key('scim.group.members.added', `Groups/${group.id}`, fresh));
            });
          }
        });
        for (const id of doomed) {
          tasks.push(async () => {
            const r = await call(tenant, 'DELETE', `/Users/${id}`);
            assert.equal(r.status, 204);
            s.deleted.add(id);
            expect(tenant, key('scim.user.deleted', `Users/${id}`));
          });
        }
        for (let i = 0; i < 20; i++) {
          tasks.push(async () => {
            const userName = `late${i}@${tenant}.example.com`;
            const r = await call(tenant, 'POST', '/Users', userBody(userName));
            assert.equal(r.status, 201);
            s.users.set(r.body.id as string, userName);
            expect(tenant, key('scim.user.created', `Users/${r.body.id as string}`));
          });
        }
        // Shuffled, so that PATCHes of one group run through different instances at once.
        tasks.sort(() => Math.random() - 0.5);
        await pool(tasks, 16);
      }),
    );

    // Phase 3: concurrent removals, one member per PATCH, several per group at once.
    await Promise.all(
      tenantNames.map(async (tenant) => {
        const s = state.get(tenant)!;
        const tasks: (() => Promise<void>)[] = [];
        for (const group of s.groups) {
          for (const id of [...group.members].slice(0, 4)) {
            tasks.push(async () => {
              const r = await call(tenant, 'PATCH', `/Groups/${group.id}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
              });
              assert.ok(r.status === 200 || r.status === 204, JSON.stringify(r.body));
              group.members.delete(id);
              expect(tenant, key('scim.group.members.removed', `Groups/${group.id}`, [id]));
            });
          }
        }
        await pool(tasks, 16);
      }),
    );

    // The database: every acknowledged write is there, through any instance.
    for (const tenant of tenantNames) {
      const s = state.get(tenant)!;
      for (const [userName, statuses] of s.duplicates) {
        assert.deepEqual([...statuses].sort(), [201, 409, 409], `${userName}: exactly one 201`);
        const found = await call(tenant, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
        const alive = [...s.users].some(([id, name]) => name === userName && !s.deleted.has(id));
        assert.equal(found.body.totalResults, alive ? 1 : 0);
      }
      await pool(
        [...s.users].map(([id, userName]) => async () => {
          const r = await call(tenant, 'GET', `/Users/${id}`);
          if (s.deleted.has(id)) assert.equal(r.status, 404);
          else {
            assert.equal(r.status, 200);
            assert.equal(r.body.userName, userName);
          }
        }),
        16,
      );
      const list = await call(tenant, 'GET', '/Users?count=1000&attributes=userName');
      assert.equal(list.body.totalResults, s.users.size - s.deleted.size);
      for (const group of s.groups) {
        const r = await call(tenant, 'GET', `/Groups/${group.id}`);
        assert.equal(r.status, 200);
        const actual = ((r.body.members ?? []) as { value: string }[]).map((m) => m.value).sort();
        assert.deepEqual(actual, [...group.members].sort(), 'members = acknowledged adds minus removes');
      }
    }

    // RabbitMQ: every expected event, once, per tenant in sequence order 1, 2, 3, … without gaps.
    const total = [...expected.values()].reduce((n, list) => n + list.length, 0);
    await until(() => consumer!.received.length >= total, 20_000, `${total} events on RabbitMQ`);
    await new Promise((r) => setTimeout(r, 300));
    const received = consumer!.received;
    assert.equal(new Set(received.map((e) => e.id)).size, received.length, 'no event delivered twice');
    assert.equal(received.length, total, 'no event beyond the acknowledged writes');
    for (const tenant of tenantNames) {
      const events = received.filter((e) => e.tenant === tenant);
      events.forEach(assertValidEvent);
      assert.deepEqual(
        events.map((e) => sequenceOf(e)),
        Array.from({ length: events.length }, (_, i) => i + 1),
        `${tenant}: arrival order is sequence order, gap-free`,
      );
      const got = events
        .map((e) => key(e.type, e.subject, e.type.startsWith('scim.group.members.') ? (e.data['members'] as string[]) : undefined))
        .sort();
      assert.deepEqual(got, [...expected.get(tenant)!].sort(), `${tenant}: the events are those of the acknowledged writes`);
    }
  });

  it('concurrent PATCHes of one group without If-Match never answer 412', opts, () => {
    // Counted by the workload above: if it died before its PATCHes, this must not pass for it.
    assert.equal(patched, 80, 'group PATCHes of the workload acknowledged');
    assert.equal(conflicts, 0, `${conflicts} PATCHes answered 412 and were retried by the client`);
  });
});
