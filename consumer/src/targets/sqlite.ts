import type { Database } from 'better-sqlite3';
import { type Batch, type Copy, type Edge, PositionConflictError, type StoredResource, type Target } from '../model.ts';
import { checkPrefix, targetSchema, userColumns } from './schema.ts';

export interface SqliteTargetOptions {
  /** Table name prefix (default `scim_`). */
  readonly prefix?: string;
}

type Row = { id: string; version: number; resource: string };

/**
 * A copy in SQLite tables (src/targets/schema.ts), through better-sqlite3: an open `Database`
 * (the target does not close it), or a file name (opened in WAL mode, closed by close()).
 */
export async function sqliteTarget(database: Database | string, options: SqliteTargetOptions = {}): Promise<Target> {
  const p = checkPrefix(options.prefix ?? 'scim_');
  const owned = typeof database === 'string';
  const db: Database = owned ? new (await import('better-sqlite3')).default(database) : database;
  if (owned) db.pragma('journal_mode = WAL');
  for (const statement of targetSchema(p, 'sqlite')) db.exec(statement);

  const positionOf = db.prepare<[string], { sequence: number }>(`SELECT sequence FROM ${p}positions WHERE tenant = ?`);
  const selectUsers = db.prepare<[string, string], Row>(
    `SELECT id, version, resource FROM ${p}users WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))`,
  );
  const selectGroups = db.prepare<[string, string], Row>(
    `SELECT id, version, resource FROM ${p}groups WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))`,
  );
  const putUser = db.prepare(
    `INSERT INTO ${p}users (tenant, id, user_name, display_name, active, version, resource) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant, id) DO UPDATE SET user_name = excluded.user_name, display_name = excluded.display_name,
       active = excluded.active, version = excluded.version, resource = excluded.resource`,
  );
  const putGroup = db.prepare(
    `INSERT INTO ${p}groups (tenant, id, display_name, version, resource) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant, id) DO UPDATE SET display_name = excluded.display_name, version = excluded.version, resource = excluded.resource`,
  );
  const deleteUser = db.prepare(`DELETE FROM ${p}users WHERE tenant = ? AND id = ?`);
  const deleteGroup = db.prepare(`DELETE FROM ${p}groups WHERE tenant = ? AND id = ?`);
  const deleteEdgesOf = db.prepare(`DELETE FROM ${p}members WHERE tenant = ? AND (group_id = ? OR member_id = ?)`);
  const addEdge = db.prepare(`INSERT OR IGNORE INTO ${p}members (tenant, group_id, member_id, member_type) VALUES (?, ?, ?, ?)`);
  const removeEdge = db.prepare(`DELETE FROM ${p}members WHERE tenant = ? AND group_id = ? AND member_id = ?`);
  const setPosition = db.prepare(
    `INSERT INTO ${p}positions (tenant, sequence, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at`,
  );

  const commit = db.transaction((tenant: string, batch: Batch) => {
    const held = positionOf.get(tenant)?.sequence;
    if (batch.from === undefined) {
      for (const table of ['users', 'groups', 'members']) db.prepare(`DELETE FROM ${p}${table} WHERE tenant = ?`).run(tenant);
    } else if (held !== batch.from) {
      throw new PositionConflictError(tenant, batch.from, held);
    }
    for (const d of batch.deleted) {
      (d.kind === 'User' ? deleteUser : deleteGroup).run(tenant, d.id);
      deleteEdgesOf.run(tenant, d.id, d.id);
    }
    for (const r of batch.put) {
      const json = JSON.stringify(r.resource);
      if (r.kind === 'User') {
        const c = userColumns(r.resource);
        putUser.run(tenant, r.id, c.userName, c.displayName, c.active === null ? null : Number(c.active), r.version, json);
      } else {
        putGroup.run(tenant, r.id, (r.resource['displayName'] as string | undefined) ?? null, r.version, json);
      }
    }
    for (const e of batch.edges) {
      if (e.present) addEdge.run(tenant, e.group, e.member, e.memberKind);
      else removeEdge.run(tenant, e.group, e.member);
    }
    setPosition.run(tenant, batch.to, new Date().toISOString());
  });

  const toStored =
    (kind: 'User' | 'Group') =>
    (row: Row): StoredResource => ({
      kind,
      id: row.id,
      version: row.version,
      resource: JSON.parse(row.resource) as Record<string, unknown>,
    });

  return {
    async position(tenant) {
      return positionOf.get(tenant)?.sequence;
    },
    async resources(tenant, keys) {
      const users = keys.filter((k) => k.startsWith('User/')).map((k) => k.slice(5));
      const groups = keys.filter((k) => k.startsWith('Group/')).map((k) => k.slice(6));
      const out = new Map<string, StoredResource>();
      for (const r of selectUsers.all(tenant, JSON.stringify(users)).map(toStored('User'))) out.set(`User/${r.id}`, r);
      for (const r of selectGroups.all(tenant, JSON.stringify(groups)).map(toStored('Group'))) out.set(`Group/${r.id}`, r);
      return out;
    },
    async commit(tenant, batch) {
      // IMMEDIATE: a second consumer of the same file waits instead of failing at COMMIT.
      commit.immediate(tenant, batch);
    },
    async read(tenant): Promise<Copy> {
      return {
        position: positionOf.get(tenant)?.sequence,
        users: db.prepare<[string], Row>(`SELECT id, version, resource FROM ${p}users WHERE tenant = ?`).all(tenant).map(toStored('User')),
        groups: db
          .prepare<[string], Row>(`SELECT id, version, resource FROM ${p}groups WHERE tenant = ?`)
          .all(tenant)
          .map(toStored('Group')),
        edges: db
          .prepare<[string], { group_id: string; member_id: string; member_type: 'User' | 'Group' }>(
            `SELECT group_id, member_id, member_type FROM ${p}members WHERE tenant = ?`,
          )
          .all(tenant)
          .map((e): Edge => ({ group: e.group_id, member: e.member_id, memberKind: e.member_type })),
      };
    },
    async close() {
      if (owned) db.close();
    },
  };
}
