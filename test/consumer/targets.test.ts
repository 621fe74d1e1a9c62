import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import {
  type Batch,
  type Copy,
  memoryTarget,
  PositionConflictError,
  postgresTarget,
  sqliteTarget,
  type Target,
} from '../../consumer/index.ts';
import { createTestSchema, POSTGRES_TEST_URL, postgresTestOptions } from '../../src/store/postgres/testing.ts';

const user = (id: string, version: number) => ({
  kind: 'User' as const,
  id,
  version,
  resource: { id, userName: `${id}@example.com`, active: true, meta: { resourceType: 'User', version: `W/"${version}"` } },
});

const users = (from: number, count: number) => Array.from({ length: count }, (_, i) => user(`u${from + i}`, 1));

/** A copy in an order of its own: SQL reads come in no particular order. */
const sorted = (copy: Copy) => ({
  position: copy.position,
  users: [...copy.users].sort((a, b) => a.id.localeCompare(b.id)),
  groups: [...copy.groups].sort((a, b) => a.id.localeCompare(b.id)),
  edges: [...copy.edges].sort((a, b) => `${a.group}|${a.member}`.localeCompare(`${b.group}|${b.member}`)),
});

/** A PostgreSQL target in a schema of its own; `sql` runs a statement in that schema. */
async function postgresScratch() {
  const scratch = await createTestSchema(POSTGRES_TEST_URL);
  const target = await postgresTarget(scratch.url);
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  return {
    target,
    sql: async <R extends pg.QueryResultRow>(text: string) => (await client.query<R>(text)).rows,
    async close() {
      await client.end();
      await target.close();
      await scratch.drop();
    },
  };
}

async function sqlTargets(): Promise<[string, () => Promise<{ target: Target; close: () => Promise<void> }>][]> {
  const list: [string, () => Promise<{ target: Target; close: () => Promise<void> }>][] = [
    [
      'SQLite',
      async () => {
        const target = await sqliteTarget(':memory:');
        return { target, close: () => target.close() };
      },
    ],
  ];
  if (!(await postgresTestOptions()).skip) list.push(['PostgreSQL', postgresScratch]);
  return list;
}

describe('scimd/consumer targets: a batch and its position are committed together, or not at all (consumer/README.md, Targets)', async () => {
  const targets = await sqlTargets();

  for (const [name, open] of [['memory', async () => ({ target: memoryTarget(), close: async () => {} })], ...targets] as const) {
    it(`${name}: a batch built on a position the target no longer holds throws PositionConflictError and writes nothing`, async () => {
      const { target, close } = await open();
      await target.commit('acme', { from: undefined, to: 10, put: [user('a', 1)], deleted: [], edges: [] });
      await target.commit('acme', { from: 10, to: 12, put: [user('a', 2)], deleted: [], edges: [] });
      // Built by a consumer that still believed the target at 10.
      const stale: Batch = { from: 10, to: 11, put: [user('b', 1)], deleted: [{ kind: 'User', id: 'a' }], edges: [] };
      await assert.rejects(target.commit('acme', stale), (error: unknown) => {
        assert.ok(error instanceof PositionConflictError);
        assert.equal(error.message, 'tenant acme: expected position 10, the target holds 12');
        return true;
      });
      const copy = await target.read('acme');
      assert.equal(copy.position, 12);
      assert.deepEqual(
        copy.users.map((u) => [u.id, u.version]),
        [['a', 2]],
      );
      await close();
    });
  }

  for (const [name, open] of targets) {
    it(`${name}: a batch that fails half-way (after its deletes) leaves the copy and the position as they were; applied again, it lands once`, async () => {
      const { target, close } = await open();
      await target.commit('acme', {
        from: undefined,
        to: 5,
        put: [user('a', 1), user('b', 1), { kind: 'Group', id: 'g', version: 1, resource: { id: 'g', displayName: 'G' } }],
        deleted: [],
        edges: [{ group: 'g', member: 'a', memberKind: 'User', present: true }],
      });
      const before = await target.read('acme');
      // The delete of `a` runs first; the put of `c` then fails (NaN binds as NULL, and version is NOT NULL).
      const broken: Batch = { from: 5, to: 7, put: [user('c', Number.NaN)], deleted: [{ kind: 'User', id: 'a' }], edges: [] };
      await assert.rejects(target.commit('acme', broken));
      assert.deepEqual(sorted(await target.read('acme')), sorted(before), 'nothing of the batch, and the position not moved');
      await target.commit('acme', { ...broken, put: [user('c', 1)] });
      const after = await target.read('acme');
      assert.equal(after.position, 7);
      assert.deepEqual(after.users.map((u) => u.id).sort(), ['b', 'c']);
      assert.deepEqual(after.edges, [], "a deleted user's memberships go with it");
      await close();
    });
  }

  it('PostgreSQL: the target analyzes its tables once the rows written since the last ANALYZE reach the tables’ size (at least 1,000), autovacuum or not', async (t) => {
    if (!targets.some(([name]) => name === 'PostgreSQL')) return t.skip('PostgreSQL does not answer');
    const { target, sql, close } = await postgresScratch();
    for (const table of ['scim_users', 'scim_groups', 'scim_members']) await sql(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
    const tuples = async () =>
      (await sql<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'scim_users'::regclass`))[0]!.n;

    await target.commit('acme', { from: undefined, to: 0, put: [], deleted: [], edges: [] });
    let position = 0;
    const write = async (count: number) => {
      await target.commit('acme', { from: position, to: position + count, put: users(position, count), deleted: [], edges: [] });
      position += count;
    };
    await write(500);
    assert.equal(await tuples(), -1, 'never analyzed: 500 rows written');
    await write(500);
    assert.equal(await tuples(), 1000, 'analyzed at 1,000 rows written');
    await write(900);
    assert.equal(await tuples(), 1000, '900 since: not yet');
    await write(100);
    assert.equal(await tuples(), 2000, 'analyzed again at 1,000 more: the size at the last ANALYZE');
    await write(1500);
    assert.equal(await tuples(), 2000, '1,500 since: below the 2,000 the tables held');
    await write(500);
    assert.equal(await tuples(), 4000);
    await close();
  });
});
