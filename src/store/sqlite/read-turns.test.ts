import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'scimd-read-turns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store on a file of its own with one tenant, and a second connection: what another process sees. */
async function opened(name: string) {
  const file = join(dir, `${name}.db`);
  const store = SqliteStore.open(file);
  await store.migrate();
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name, createdAt: new Date().toISOString() });
  const sibling = new Database(file);
  const groups = sibling.prepare('SELECT count(*) FROM resources WHERE tenant_id = ?').pluck();
  const tokens = sibling.prepare('SELECT count(*) FROM tokens WHERE id = ?').pluck();
  const group = (displayName: string) => ({
    resourceType: 'Group' as const,
    id: randomUUID(),
    doc: { displayName },
    now: new Date().toISOString(),
  });
  return {
    store,
    tenantId,
    sibling,
    group,
    seenGroups: () => groups.get(tenantId) as number,
    seenToken: (id: string) => tokens.get(id) as number,
    async close() {
      sibling.close();
      await store.close();
    },
  };
}

describe('SQLite: the reads of one turn share a read transaction', () => {
  it('reads of one turn see the database as of its first read; the next turn sees what was written since', async () => {
    const t = await opened('snapshot');
    const first = await t.store.create(t.tenantId, t.group('first'));
    await nextTurn();
    assert.ok(await t.store.get(t.tenantId, 'Group', first.resource.id, {}));
    // Another process writes between two reads of the same turn.
    const other = randomUUID();
    t.sibling
      .prepare(
        `INSERT INTO resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key, display_name)
         SELECT tenant_id, resource_type, ?, doc, 1, created_ms, modified_ms, 'other', 'other' FROM resources WHERE id = ?`,
      )
      .run(other, first.resource.id);
    assert.equal(await t.store.get(t.tenantId, 'Group', other, {}), undefined, 'the second read of the turn reads its first snapshot');
    await nextTurn();
    assert.ok(await t.store.get(t.tenantId, 'Group', other, {}), 'a read of the next turn sees the other write');
    await t.close();
  });

  it('a write queued before a read of the same turn commits before it is answered', async () => {
    const t = await opened('group-commit');
    const existing = await t.store.create(t.tenantId, t.group('existing'));
    await nextTurn();
    // The batch is flushed in this turn's check phase, after the read below has begun its transaction.
    const written = t.store.create(t.tenantId, t.group('written'));
    const read = t.store.get(t.tenantId, 'Group', existing.resource.id, {});
    await written;
    assert.equal(t.seenGroups(), 2, 'answered, so committed: another connection sees it');
    assert.ok(await read);
    await t.close();
  });

  it('a statement that writes after a read of the same turn commits at once, not with the reads', async () => {
    const t = await opened('autocommit');
    const existing = await t.store.create(t.tenantId, t.group('existing'));
    await nextTurn();
    assert.ok(await t.store.get(t.tenantId, 'Group', existing.resource.id, {}));
    const id = `tok_${randomUUID()}`;
    await t.store.createToken({ id, tenantId: t.tenantId, hash: 'h', createdAt: new Date().toISOString() });
    assert.equal(t.seenToken(id), 1, 'answered, so committed: another connection sees it');
    await t.close();
  });
});
