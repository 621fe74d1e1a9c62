import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { storeContract } from '../../../test/store/contract.ts';
import { extensionsContract } from '../../../test/store/extensions-contract.ts';
import { filterBuilders } from '../../../test/store/filters.ts';
import { openStore } from '../open.ts';
import { compileFilter, prefixUpperBound } from '../sql/compile-filter.ts';
import { openConnection } from './connection.ts';
import { sqliteDialect } from './dialect.ts';
import { MIGRATIONS, runMigrations } from './migrations.ts';
import { SqliteStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'scimd-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract('sqlite::memory:', () => openStore('sqlite::memory:'));
storeContract('sqlite file', () => openStore(`sqlite:${join(dir, 'contract', 'scimd.db')}`), {
  // A second connection to the same file: what another process sees.
  sibling: () => openStore(`sqlite:${join(dir, 'contract', 'scimd.db')}`),
});

extensionsContract('sqlite file', () => openStore(`sqlite:${join(dir, 'extensions', 'scimd.db')}`), {
  sibling: () => openStore(`sqlite:${join(dir, 'extensions', 'scimd.db')}`),
});

/**
 * A file as a scimd before migration `version` left it, opened by this one (not yet migrated),
 * with a tenant named `name`.
 */
async function olderFile(version: number, name: string) {
  const file = join(dir, name, 'scimd.db');
  const older = openConnection(file);
  runMigrations(
    older,
    MIGRATIONS.filter((m) => m.version < version),
  );
  older.close();
  const store = SqliteStore.open(file);
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name, createdAt: new Date().toISOString() });
  return { store, tenantId };
}

describe('SQLite store', () => {
  const f = filterBuilders();

  it('applies migrations once and reports nothing the second time', async () => {
    const store = SqliteStore.open(':memory:');
    assert.deepEqual(
      await store.migrate(),
      MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
    );
    assert.deepEqual(await store.migrate(), []);
    await store.close();
  });

  it('migration 114: the outbox rebuilt as a rowid table keeps every event in order, and the next event follows on', async () => {
    const { store, tenantId } = await olderFile(114, 'outbox-rows');
    const now = () => new Date().toISOString();
    // A create and its event, as the service writes them.
    const create = (userName: string) => {
      const id = randomUUID();
      const event = {
        id: randomUUID(),
        type: 'scim.user.created',
        subject: `Users/${id}`,
        source: 'https://scim.example.com/scim/v2',
        time: now(),
        data: { userName },
      };
      return store.create(tenantId, { resourceType: 'User', id, doc: { userName }, now: now(), events: () => [event] });
    };
    // Three events as the code of 114's time wrote them (today's writes need today's schema).
    const append = store.database.prepare(
      `INSERT INTO outbox (tenant_id, sequence, id, type, subject, source, time, time_ms, data)
       VALUES (?, ?, ?, 'scim.user.created', ?, 'https://scim.example.com/scim/v2', ?, 0, ?)`,
    );
    for (const [i, userName] of ['a', 'b', 'c'].entries()) {
      append.run(tenantId, i + 1, randomUUID(), `Users/${randomUUID()}`, now(), JSON.stringify({ userName }));
    }
    store.database.prepare('INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES (?, 3)').run(tenantId);
    const events = () =>
      store.database.prepare('SELECT tenant_id, sequence, id, type, subject, data FROM outbox ORDER BY tenant_id, sequence').all();
    const before = events();
    assert.equal(before.length, 3);
    assert.throws(() => store.database.prepare('SELECT rowid FROM outbox').all(), /no such column: rowid/);

    assert.deepEqual(await store.migrate(), [114, 115]);
    assert.deepEqual(events(), before);
    assert.equal(store.database.prepare('SELECT count(rowid) FROM outbox').pluck().get(), 3);
    await create('d');
    assert.deepEqual(
      events().map((e) => (e as { sequence: number }).sequence),
      [1, 2, 3, 4],
    );
    await store.close();
  });

  it("migration 115: each event names its resource's previous event, and a delta walk across the migration reads each resource once", async () => {
    const { store, tenantId } = await olderFile(115, 'event-chain');
    const now = () => new Date().toISOString();
    const event = (type: string, id: string) => () => [
      { id: randomUUID(), type, subject: `Users/${id}`, source: 'https://scim.example.com/scim/v2', time: now(), data: {} },
    ];
    const update = (id: string, title: string) =>
      store.update(tenantId, {
        resourceType: 'User',
        id,
        change: (r) => ({ doc: { ...r.doc, title }, now: now(), events: event('scim.user.updated', id) }),
      });
    // Before the migration, as the code of 114's time wrote them (sequences 1-5): a created,
    // b created, a updated, b updated, c created.
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const user = store.database.prepare(
      `INSERT INTO resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key) VALUES (?, 'User', ?, ?, 1, 0, 0, ?)`,
    );
    for (const [id, userName] of [
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
    ] as const) {
      user.run(tenantId, id, JSON.stringify({ userName }), userName);
    }
    const append = store.database.prepare(
      `INSERT INTO outbox (tenant_id, sequence, id, type, subject, source, time, time_ms, data)
       VALUES (?, ?, ?, 'scim.user.changed', ?, 'https://scim.example.com/scim/v2', ?, 0, '{}')`,
    );
    for (const [i, id] of [a, b, a, b, c].entries()) append.run(tenantId, i + 1, randomUUID(), `Users/${id}`, now());
    store.database.prepare('INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES (?, 5)').run(tenantId);

    assert.deepEqual(await store.migrate(), [115]);
    const chain = () =>
      store.database.prepare('SELECT sequence, previous FROM outbox WHERE tenant_id = ? ORDER BY sequence').raw().all(tenantId);
    assert.deepEqual(chain(), [
      [1, null],
      [2, null],
      [3, 1],
      [4, 2],
      [5, null],
    ]);
    const lastEvent = (id: string) => store.database.prepare('SELECT last_event FROM resources WHERE id = ?').pluck().get(id);
    assert.deepEqual([lastEvent(a), lastEvent(b), lastEvent(c)], [3, 4, 5]);
    assert.equal(store.database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'outbox_subject'").pluck().get(), 0);

    // After it: c updated (6, after 5), a deleted (7, after 3).
    await update(c, 'two');
    await store.delete(tenantId, 'User', a, undefined, event('scim.user.deleted', a));
    assert.deepEqual(chain().slice(5), [
      [6, 5],
      [7, 3],
    ]);
    // Each resource once, at its first change after the token: after 2, a at 3, b at 4, c at 5;
    // after 5 (a page starting past its first), c at 6 and a at 7; after 3, a's delete is not its first change.
    const firstChanges = async (since: number, after: number) =>
      (await store.firstChanges(tenantId, since, after, 7, 10)).map((r) => r.sequence);
    assert.deepEqual(await firstChanges(2, 2), [3, 4, 5]);
    assert.deepEqual(await firstChanges(5, 5), [6, 7]);
    assert.deepEqual(await firstChanges(2, 5), []);
    assert.deepEqual(await firstChanges(0, 0), [1, 2, 5]);
    await store.close();
  });

  it("a typed resource's events name their predecessor as a user's do: created, updated twice, deleted", async () => {
    const store = SqliteStore.open(':memory:');
    await store.migrate();
    const tenantId = randomUUID();
    await store.createTenant({ id: tenantId, name: 'typed-chain', createdAt: new Date().toISOString() });
    const now = () => new Date().toISOString();
    const id = randomUUID();
    const event = (type: string) => () => [
      { id: randomUUID(), type, subject: `Roles/${id}`, source: 'https://scim.example.com/scim/v2', time: now(), data: {} },
    ];
    const roles = store.typedResources;
    await roles.create(tenantId, { resourceType: 'Role', id, doc: { value: 'admin' }, now: now(), events: event('scim.role.created') });
    // Another resource's event in between (2): the role's chain skips it.
    const userId = randomUUID();
    await store.create(tenantId, {
      resourceType: 'User',
      id: userId,
      doc: { userName: 'u' },
      now: now(),
      events: () => [
        {
          id: randomUUID(),
          type: 'scim.user.created',
          subject: `Users/${userId}`,
          source: 'https://scim.example.com/scim/v2',
          time: now(),
          data: {},
        },
      ],
    });
    const update = (value: string) =>
      roles.update(tenantId, {
        resourceType: 'Role',
        id,
        change: (r) => ({ doc: { ...r.doc, value }, now: now(), events: event('scim.role.updated') }),
      });
    await update('owner');
    await update('reader');
    assert.equal(store.database.prepare('SELECT last_event FROM typed_resources WHERE id = ?').pluck().get(id), 4);
    await roles.delete(tenantId, 'Role', id, undefined, event('scim.role.deleted'));
    assert.deepEqual(
      store.database.prepare('SELECT sequence, previous FROM outbox WHERE tenant_id = ? ORDER BY sequence').raw().all(tenantId),
      [
        [1, null],
        [2, null],
        [3, 1],
        [4, 3],
        [5, 4],
      ],
    );
    // First changes after 1: the user at 2, the role at 3; after 3, the role at 4.
    assert.deepEqual(
      (await store.firstChanges(tenantId, 1, 1, 5, 10)).map((r) => r.sequence),
      [2, 3],
    );
    assert.deepEqual(
      (await store.firstChanges(tenantId, 3, 3, 5, 10)).map((r) => r.sequence),
      [4],
    );
    await store.close();
  });

  it('runs the file in WAL mode with foreign keys on', async () => {
    const store = SqliteStore.open(join(dir, 'wal.db'));
    await store.migrate();
    assert.equal(store.database.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.database.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(store.database.pragma('synchronous', { simple: true }), 1);
    assert.ok(Number(store.database.pragma('busy_timeout', { simple: true })) > 0);
    await store.close();
  });

  it('checkpoints the WAL into the database file in the background, without a COMMIT doing it', async () => {
    const file = join(dir, 'checkpoint', 'scimd.db');
    const store = SqliteStore.open(file);
    await store.migrate();
    // Far below the connection's own threshold: only the background thread can have copied it.
    assert.equal(store.database.pragma('wal_autocheckpoint', { simple: true }), 8192);
    const tenantId = randomUUID();
    await store.createTenant({ id: tenantId, name: 'checkpointed', createdAt: new Date().toISOString() });
    const id = randomUUID();
    await store.create(tenantId, { resourceType: 'User', id, doc: { userName: 'in-the-file' }, now: new Date().toISOString() });
    let copy = '';
    for (let attempt = 0; attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The database file alone, as a crash would leave it without its WAL.
      copy = join(dir, 'checkpoint', `copy-${attempt}.db`);
      copyFileSync(file, copy);
      const alone = openConnection(copy);
      let found: unknown;
      try {
        found = alone.prepare('SELECT count(*) FROM resources WHERE id = ?').pluck().get(id);
      } catch {
        // Not even the tables have been copied yet.
      }
      alone.close();
      if (found === 1) break;
      copy = '';
    }
    await store.close();
    assert.notEqual(copy, '', 'the row never reached the database file');
  });

  it('a second connection on the same file sees committed writes', async () => {
    const file = join(dir, 'shared', 'scimd.db');
    const a = await openStore(`sqlite:${file}`);
    const b = await openStore(`sqlite:${file}`);
    await a.migrate();
    assert.deepEqual(await b.migrate(), []);
    const tenantId = randomUUID();
    await a.createTenant({ id: tenantId, name: 'shared', createdAt: new Date().toISOString() });
    const id = randomUUID();
    await a.create(tenantId, { resourceType: 'User', id, doc: { userName: 'seen' }, now: new Date().toISOString() });
    assert.equal((await b.get(tenantId, 'User', id, {}))?.doc['userName'], 'seen');
    await a.close();
    await b.close();
  });

  it('refuses other database URLs', async () => {
    await assert.rejects(
      openStore('mysql://u:secret@localhost/db'),
      (e: Error) => /unsupported database URL/.test(e.message) && !e.message.includes('secret'),
    );
  });

  it('scim_fold is JavaScript toLowerCase, beyond ASCII', () => {
    const db = openConnection(':memory:');
    assert.equal(db.prepare('SELECT scim_fold(?)').pluck().get('ÅNGSTRÖM İ'), 'ÅNGSTRÖM İ'.toLowerCase());
    assert.equal(db.prepare('SELECT scim_fold(?)').pluck().get(5), 5);
    db.close();
  });

  it('prefixUpperBound bounds exactly the strings with the prefix', () => {
    assert.equal(prefixUpperBound('ab'), 'ac');
    assert.equal(prefixUpperBound('a\u{10ffff}'), 'b');
    assert.equal(prefixUpperBound('\ud7ff'), '\ue000');
    assert.equal(prefixUpperBound(''), undefined);
  });

  it("the request log's resource id filter seeks the resource index once per generation (migration 111)", async () => {
    const store = SqliteStore.open(':memory:');
    await store.migrate();
    const db = store.database;
    const texts: string[] = [];
    const prepare = db.prepare.bind(db);
    db.prepare = ((text: string) => {
      texts.push(text);
      return prepare(text);
    }) as typeof db.prepare;
    await store.listRequests({ tenantId: 't', resourceId: 'u-1', limit: 10 });
    db.prepare = prepare;
    const [text] = texts.filter((t) => t.includes('request_log_resources'));
    const params = Array.from({ length: text!.split('?').length - 1 }, () => 't');
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[]).map((r) => r.detail).join('\n');
    await store.close();
    assert.match(
      plan,
      /SCAN generations\nSEARCH r USING COVERING INDEX request_log_resource \(tenant_id=\? AND <expr>=\? AND resource_id=\?\)/,
    );
  });

  describe('query plans use the indexes', () => {
    const plan = async (filter: ReturnType<typeof f.cmp>) => {
      const store = SqliteStore.open(':memory:');
      await store.migrate();
      const tenantId = 't';
      const where = compileFilter(filter, { dialect: sqliteDialect, tenantId, resourceType: 'User' });
      const rows = store.database
        .prepare(
          `EXPLAIN QUERY PLAN SELECT r.doc FROM resources r WHERE r.tenant_id = ? AND r.resource_type = ? AND ${where.sql} ORDER BY r.row_key LIMIT 100`,
        )
        .all(tenantId, 'User', ...where.params) as { detail: string }[];
      await store.close();
      return rows.map((r) => r.detail).join('\n');
    };

    it('userName eq → the unique name index', async () => {
      assert.match(
        await plan(f.cmp('User', 'userName', 'eq', 'bjensen')),
        /USING (COVERING )?INDEX resources_name \(tenant_id=\? AND resource_type=\? AND name_key=\?\)/,
      );
    });
    it('userName sw → a range on the name index', async () => {
      assert.match(
        await plan(f.cmp('User', 'userName', 'sw', 'bj')),
        /USING (COVERING )?INDEX resources_name \(tenant_id=\? AND resource_type=\? AND name_key>\? AND name_key<\?\)/,
      );
    });
    it('externalId eq → the externalId index', async () => {
      assert.match(
        await plan(f.cmp('User', 'externalId', 'eq', 'e1')),
        /USING (COVERING )?INDEX resources_external_id \(tenant_id=\? AND resource_type=\? AND external_id=\?\)/,
      );
    });
    it('emails.value eq → the values index, then the row by key', async () => {
      const detail = await plan(f.cmp('User', 'emails.value', 'eq', 'a@b.c'));
      assert.match(detail, /USING COVERING INDEX resource_values_lookup \(tenant_id=\? AND attr=\? AND value=\?\)/);
      assert.doesNotMatch(detail, /SCAN r\b/);
    });
    it('emails[type eq "work" and value eq "x"] → the values index', async () => {
      const detail = await plan(f.valuePath('User', 'emails', (s) => f.and(s('type', 'eq', 'work'), s('value', 'eq', 'x'))));
      assert.match(detail, /resource_values_lookup \(tenant_id=\? AND attr=\? AND value=\?/);
    });
  });
});
