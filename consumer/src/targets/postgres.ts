import type { Pool, PoolClient } from 'pg';
import { type Batch, type Copy, type Edge, PositionConflictError, type StoredResource, type Target } from '../model.ts';
import { checkPrefix, targetSchema, userColumns } from './schema.ts';

export interface PostgresTargetOptions {
  /** Table name prefix (default `scim_`). */
  readonly prefix?: string;
}

type Row = { id: string; version: number; resource: Record<string, unknown> };

/**
 * A copy in PostgreSQL tables (src/targets/schema.ts): a `pg` Pool (the target does not end it),
 * or a connection string (a pool of its own, ended by close()). A batch is a handful of
 * statements whatever its size: rows travel as arrays (unnest), not one statement per event.
 */
export async function postgresTarget(database: Pool | string, options: PostgresTargetOptions = {}): Promise<Target> {
  const p = checkPrefix(options.prefix ?? 'scim_');
  const owned = typeof database === 'string';
  const pool: Pool = owned ? new (await import('pg')).default.Pool({ connectionString: database, max: 4 }) : database;
  const setup = await pool.connect();
  try {
    // Two consumers starting at once must not race on CREATE … IF NOT EXISTS.
    await setup.query('BEGIN');
    await setup.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${p}consumer-schema`]);
    for (const statement of targetSchema(p, 'postgres')) await setup.query(statement);
    await setup.query('COMMIT');
  } catch (error) {
    await setup.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    setup.release();
  }

  const toStored =
    (kind: 'User' | 'Group') =>
    (row: Row): StoredResource => ({ kind, id: row.id, version: Number(row.version), resource: row.resource });

  async function write(client: PoolClient, tenant: string, batch: Batch) {
    const held = (await client.query<{ sequence: string }>(`SELECT sequence FROM ${p}positions WHERE tenant = $1 FOR UPDATE`, [tenant]))
      .rows[0];
    const position = held === undefined ? undefined : Number(held.sequence);
    if (batch.from === undefined) {
      for (const table of ['users', 'groups', 'members']) await client.query(`DELETE FROM ${p}${table} WHERE tenant = $1`, [tenant]);
    } else if (position !== batch.from) {
      throw new PositionConflictError(tenant, batch.from, position);
    }
    if (batch.deleted.length > 0) {
      const ids = batch.deleted.map((d) => d.id);
      await client.query(`DELETE FROM ${p}users WHERE tenant = $1 AND id = ANY($2::text[])`, [tenant, ids]);
      await client.query(`DELETE FROM ${p}groups WHERE tenant = $1 AND id = ANY($2::text[])`, [tenant, ids]);
      await client.query(`DELETE FROM ${p}members WHERE tenant = $1 AND (group_id = ANY($2::text[]) OR member_id = ANY($2::text[]))`, [
        tenant,
        ids,
      ]);
    }
    const users = batch.put.filter((r) => r.kind === 'User');
    if (users.length > 0) {
      const cols = users.map((u) => userColumns(u.resource));
      await client.query(
        `INSERT INTO ${p}users (tenant, id, user_name, display_name, active, version, resource)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::int[], $7::jsonb[])
         ON CONFLICT (tenant, id) DO UPDATE SET user_name = excluded.user_name, display_name = excluded.display_name,
           active = excluded.active, version = excluded.version, resource = excluded.resource`,
        [
          tenant,
          users.map((u) => u.id),
          cols.map((c) => c.userName),
          cols.map((c) => c.displayName),
          cols.map((c) => c.active),
          users.map((u) => u.version),
          users.map((u) => JSON.stringify(u.resource)),
        ],
      );
    }
    const groups = batch.put.filter((r) => r.kind === 'Group');
    if (groups.length > 0) {
      await client.query(
        `INSERT INTO ${p}groups (tenant, id, display_name, version, resource)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::jsonb[])
         ON CONFLICT (tenant, id) DO UPDATE SET display_name = excluded.display_name, version = excluded.version, resource = excluded.resource`,
        [
          tenant,
          groups.map((g) => g.id),
          groups.map((g) => (g.resource['displayName'] as string | undefined) ?? null),
          groups.map((g) => g.version),
          groups.map((g) => JSON.stringify(g.resource)),
        ],
      );
    }
    const added = batch.edges.filter((e) => e.present);
    if (added.length > 0) {
      await client.query(
        `INSERT INTO ${p}members (tenant, group_id, member_id, member_type)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [tenant, added.map((e) => e.group), added.map((e) => e.member), added.map((e) => e.memberKind)],
      );
    }
    const removed = batch.edges.filter((e) => !e.present);
    if (removed.length > 0) {
      await client.query(
        `DELETE FROM ${p}members m USING unnest($2::text[], $3::text[]) AS x (group_id, member_id)
         WHERE m.tenant = $1 AND m.group_id = x.group_id AND m.member_id = x.member_id`,
        [tenant, removed.map((e) => e.group), removed.map((e) => e.member)],
      );
    }
    await client.query(
      `INSERT INTO ${p}positions (tenant, sequence, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at`,
      [tenant, batch.to, new Date().toISOString()],
    );
  }

  async function position(tenant: string): Promise<number | undefined> {
    const row = (await pool.query<{ sequence: string }>(`SELECT sequence FROM ${p}positions WHERE tenant = $1`, [tenant])).rows[0];
    return row === undefined ? undefined : Number(row.sequence);
  }

  return {
    position,
    async resources(tenant, keys) {
      const users = keys.filter((k) => k.startsWith('User/')).map((k) => k.slice(5));
      const groups = keys.filter((k) => k.startsWith('Group/')).map((k) => k.slice(6));
      const out = new Map<string, StoredResource>();
      const [u, g] = await Promise.all([
        users.length === 0
          ? { rows: [] as Row[] }
          : pool.query<Row>(`SELECT id, version, resource FROM ${p}users WHERE tenant = $1 AND id = ANY($2::text[])`, [tenant, users]),
        groups.length === 0
          ? { rows: [] as Row[] }
          : pool.query<Row>(`SELECT id, version, resource FROM ${p}groups WHERE tenant = $1 AND id = ANY($2::text[])`, [tenant, groups]),
      ]);
      for (const r of u.rows.map(toStored('User'))) out.set(`User/${r.id}`, r);
      for (const r of g.rows.map(toStored('Group'))) out.set(`Group/${r.id}`, r);
      return out;
    },
    async commit(tenant, batch) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await write(client, tenant, batch);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async read(tenant): Promise<Copy> {
      const [held, users, groups, edges] = await Promise.all([
        position(tenant),
        pool.query<Row>(`SELECT id, version, resource FROM ${p}users WHERE tenant = $1`, [tenant]),
        pool.query<Row>(`SELECT id, version, resource FROM ${p}groups WHERE tenant = $1`, [tenant]),
        pool.query<{ group_id: string; member_id: string; member_type: 'User' | 'Group' }>(
          `SELECT group_id, member_id, member_type FROM ${p}members WHERE tenant = $1`,
          [tenant],
        ),
      ]);
      return {
        position: held,
        users: users.rows.map(toStored('User')),
        groups: groups.rows.map(toStored('Group')),
        edges: edges.rows.map((e): Edge => ({ group: e.group_id, member: e.member_id, memberKind: e.member_type })),
      };
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}
