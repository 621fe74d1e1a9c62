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

  /**
   * One batch, in the caller's transaction. Resources travel as one JSON array of rows
   * (jsonb_to_recordset): a `jsonb[]` parameter cost twice as much, each document escaped into
   * an array literal and parsed twice.
   */
  async function write(client: PoolClient, tenant: string, batch: Batch) {
    const now = new Date().toISOString();
    if (batch.from === undefined) {
      // The position row first: it holds a second consumer of this tenant until COMMIT.
      await client.query(
        `INSERT INTO ${p}positions (tenant, sequence, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant) DO UPDATE SET sequence = excluded.sequence, updated_at = excluded.updated_at`,
        [tenant, batch.to, now],
      );
      for (const table of ['users', 'groups', 'members']) await client.query(`DELETE FROM ${p}${table} WHERE tenant = $1`, [tenant]);
    } else {
      // Moves the position only from where the batch was built (and locks it until COMMIT).
      const moved = await client.query(`UPDATE ${p}positions SET sequence = $2, updated_at = $3 WHERE tenant = $1 AND sequence = $4`, [
        tenant,
        batch.to,
        now,
        batch.from,
      ]);
      if (moved.rowCount !== 1) throw new PositionConflictError(tenant, batch.from, await position(tenant));
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
      const rows = users.map((u) => ({ id: u.id, ...userColumns(u.resource), version: u.version, resource: u.resource }));
      await client.query(
        `INSERT INTO ${p}users (tenant, id, user_name, display_name, active, version, resource)
         SELECT $1, * FROM jsonb_to_recordset($2::jsonb)
           AS x (id text, "userName" text, "displayName" text, active boolean, version int, resource jsonb)
         ON CONFLICT (tenant, id) DO UPDATE SET user_name = excluded.user_name, display_name = excluded.display_name,
           active = excluded.active, version = excluded.version, resource = excluded.resource`,
        [tenant, JSON.stringify(rows)],
      );
    }
    const groups = batch.put.filter((r) => r.kind === 'Group');
    if (groups.length > 0) {
      const rows = groups.map((g) => ({
        id: g.id,
        displayName: (g.resource['displayName'] as string | undefined) ?? null,
        version: g.version,
        resource: g.resource,
      }));
      await client.query(
        `INSERT INTO ${p}groups (tenant, id, display_name, version, resource)
         SELECT $1, * FROM jsonb_to_recordset($2::jsonb) AS x (id text, "displayName" text, version int, resource jsonb)
         ON CONFLICT (tenant, id) DO UPDATE SET display_name = excluded.display_name, version = excluded.version, resource = excluded.resource`,
        [tenant, JSON.stringify(rows)],
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
  }

  // Statistics: a batch's statements are planned on the tables' statistics, and autovacuum may
  // analyze a grown table late (on a busy server, minutes late). Planned as an empty table,
  // `tenant = $1 AND id = ANY($2)` read every row of the tenant for each batch (a catch-up over
  // 1,000,000 events: 679 s). So the target analyzes its tables once the rows it wrote since the
  // last ANALYZE reach what the tables held then (at least 1,000): some 10 times while a copy
  // grows to a million rows.
  let written = 0;
  let analyzeAfter = 1000;
  async function keepStatistics(batch: Batch) {
    written += batch.put.length + batch.deleted.length + batch.edges.length;
    if (written < analyzeAfter) return;
    written = 0;
    await pool.query(`ANALYZE ${p}users, ${p}groups, ${p}members`);
    const held = await pool.query<{ tuples: number }>(
      `SELECT sum(greatest(reltuples, 0))::float8 AS tuples FROM pg_class
       WHERE oid IN ('${p}users'::regclass, '${p}groups'::regclass, '${p}members'::regclass)`,
    );
    analyzeAfter = Math.max(1000, held.rows[0]?.tuples ?? 0);
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
      // Committed: a failed ANALYZE only leaves the statistics to autovacuum.
      await keepStatistics(batch).catch(() => undefined);
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
