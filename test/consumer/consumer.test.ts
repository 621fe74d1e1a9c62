import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Consumer, memoryTarget, postgresTarget, type ScimEvent, type Source, sqliteTarget, type Target } from '../../consumer/index.ts';
import { createTestSchema, POSTGRES_TEST_URL, postgresTestOptions } from '../../src/store/postgres/testing.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { assertCopyEquals, changes, everything, listening } from './copy.ts';

/** A PostgreSQL target in a schema of its own, dropped when the target closes. */
async function postgresScratchTarget(): Promise<Target> {
  const scratch = await createTestSchema(POSTGRES_TEST_URL);
  const target = await postgresTarget(scratch.url);
  return {
    ...target,
    close: async () => {
      await target.close();
      await scratch.drop();
    },
  };
}

describe('scimd/consumer: snapshot, then the feed', () => {
  let h: Harness;
  let url: string;
  const get = async (path: string) => (await h.request('GET', path)).body as Record<string, unknown>;
  before(async () => {
    h = await startHarness();
    url = await listening(h);
  });
  after(async () => h?.close());

  for (const [name, make] of [
    ['memory', async () => memoryTarget()],
    ['SQLite', () => sqliteTarget(':memory:')],
    ['PostgreSQL', postgresScratchTarget],
  ] as const) {
    it(`${name} target: a snapshot taken while the tenant already has data, then events; the copy equals the API`, async (t) => {
      if (name === 'PostgreSQL') {
        const skip = await postgresTestOptions();
        if (skip.skip) return t.skip(skip.skip);
      }
      await changes(h, `${name}-before`);
      const target: Target = await make();
      const consumer = new Consumer({ scim: { url, token: h.tokenA }, tenant: 'acme', target, source: 'feed', batchSize: 7 });
      await consumer.start();
      await changes(h, `${name}-after`);
      await consumer.sync();
      await assertCopyEquals(get, await target.read('acme'));
      await consumer.stop();
      await target.close();
    });
  }

  it('the SQLite tables: scim_user_groups gives every user the groups GET /Users shows, direct and indirect', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    const target = await sqliteTarget(db);
    await changes(h, 'view');
    const consumer = new Consumer({ scim: { url, token: h.tokenA }, tenant: 'acme', target, checkEveryMs: 60_000 });
    await consumer.start();
    await consumer.stop();
    const rows = db.prepare(`SELECT user_id, group_id, type FROM scim_user_groups WHERE tenant = 'acme'`).all() as {
      user_id: string;
      group_id: string;
      type: string;
    }[];
    const expected = ((await everything(get, 'Users')) as { id: string; groups?: { value: string; type: string }[] }[]).flatMap((u) =>
      (u.groups ?? []).map((g) => `${u.id} ${g.value} ${g.type}`),
    );
    assert.ok(
      expected.some((e) => e.endsWith('indirect')),
      'the changes nest groups',
    );
    assert.deepEqual(rows.map((r) => `${r.user_id} ${r.group_id} ${r.type}`).sort(), expected.sort());
    db.close();
  });

  it('duplicates, events of other tenants, late and out-of-order deliveries change nothing; a gap is repaired from the feed', async () => {
    const target = memoryTarget();
    let deliver: ((events: readonly ScimEvent[]) => Promise<void>) | undefined;
    const manual: Source = {
      name: 'manual',
      async start(_tenant, d) {
        deliver = d;
      },
      async stop() {},
    };
    const consumer = new Consumer({ scim: { url, token: h.tokenA }, tenant: 'acme', target, source: manual, checkEveryMs: 60_000 });
    await consumer.start();
    const start = consumer.position;
    await changes(h, 'manual');
    const events = (await get(`/Events?after=${start}&count=1000`))['events'] as ScimEvent[];
    const globex = (await h.request('GET', '/Events?after=0', { token: h.tokenB })).body.events as ScimEvent[];
    // The tail first (a gap: repaired from the feed), then everything again, reversed, with another tenant's.
    await deliver!(events.slice(5));
    assert.equal(consumer.position, start + events.length);
    const copy = await target.read('acme');
    await deliver!([...events].reverse());
    await deliver!([...globex, ...events.slice(0, 3)]);
    assert.deepEqual(await target.read('acme'), copy, 'nothing applied twice');
    await assertCopyEquals(get, copy);
    await consumer.stop();
  });
});
