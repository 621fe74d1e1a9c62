import pg from 'pg';
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import { invalidValue, notFound, uniqueness } from '../../errors/scim-error.ts';
import type {
  CreateCommand,
  EventBuilder,
  Include,
  MemberInput,
  MemberOp,
  NewEvent,
  NewToken,
  OutboxRecord,
  OutboxStats,
  SetAcknowledgement,
  QueryResult,
  ReferenceView,
  ResourceQuery,
  ResourceTypeName,
  Store,
  StoredResource,
  TenantRecord,
  TokenRecord,
  UpdateCommand,
  WriteResult,
} from '../ports.ts';
import {
  cursorKeyOf,
  DeltaTracker,
  emptyResult,
  groupReferences,
  iso,
  limit,
  ms,
  orUndefined,
  OUTBOX_SELECT,
  resourceConflict,
  toRecord,
  toToken,
  whereOfQuery,
  type OutboxRow,
  type ReferenceRow,
  type TokenRow,
} from '../sql/rows.ts';
import { raw, sql, type Sql } from '../sql/fragment.ts';
import { promote } from '../sql/promote.ts';
import { afterKey, atOrBeforeKey, orderBy, sortKey } from '../sql/sort.ts';
import { valueRows } from '../sql/values-index.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { postgresDialect } from './dialect.ts';
import { isUnavailable, sqlState, StoreUnavailableError } from './errors.ts';
import { runMigrations } from './migrations.ts';
import { toPostgres } from './placeholders.ts';

interface ResourceRow {
  readonly row_key: number;
  readonly resource_type: ResourceTypeName;
  readonly id: string;
  readonly doc: Record<string, unknown>;
  readonly version: number;
  readonly created_ms: number;
  readonly modified_ms: number;
  readonly password_hash: string | null;
  readonly sort_value?: string | number | null;
}

export interface PostgresStoreOptions {
  /** A libpq-style URL; the scimd query parameters below are read from it and removed. */
  readonly connectionString: string;
  /** Pool size (URL `?pool=`), default 10. Each instance holds at most this many connections. */
  readonly poolSize?: number;
  /** Server-side statement_timeout in ms (URL `?statement_timeout=`), default 15000. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection (URL `?connect_timeout=`, seconds as in libpq), default 5 s. */
  readonly connectTimeoutMs?: number;
}

const COLUMNS = 'r.row_key, r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, r.password_hash';
const TOKEN_SELECT =
  'SELECT k.id, k.tenant_id, t.name AS tenant_name, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at FROM tokens k JOIN tenants t ON t.id = k.tenant_id';
// A member's display is its displayName, else its userName; a group's is its displayName.
const MEMBERS_OF = `SELECT m.group_row AS owner, o.id AS value, m.member_type AS type, o.resource_type AS resource_type,
    coalesce(nullif(o.doc ->> 'displayName', ''), o.doc ->> 'userName') AS display
  FROM memberships m JOIN resources o ON o.row_key = m.member_row
  WHERE m.tenant_id = $1 AND m.group_row = ANY($2::bigint[]) ORDER BY m.seq`;
const GROUPS_OF = `SELECT m.member_row AS owner, o.id AS value, 'direct' AS type, o.resource_type AS resource_type,
    o.doc ->> 'displayName' AS display
  FROM memberships m JOIN resources o ON o.row_key = m.group_row
  WHERE m.tenant_id = $1 AND m.member_row = ANY($2::bigint[]) ORDER BY m.seq`;

/** int8 (row keys, epoch ms, count(*)) as JavaScript numbers: every value is below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const hasNul = (text: string) => text.includes('\u0000');

/**
 * PostgreSQL text and jsonb cannot hold U+0000 (docs/filtering.md "PostgreSQL"): such a document is
 * refused as invalidValue rather than failing inside the driver as a 500.
 */
function refuseNul(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (hasNul(value)) throw invalidValue(`${path || 'a value'} contains U+0000, which this server cannot store`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => refuseNul(v, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (hasNul(k)) throw invalidValue('an attribute name contains U+0000');
      refuseNul(v, path ? `${path}.${k}` : k);
    }
  }
}

type Run = <R extends QueryResultRow = QueryResultRow>(text: string | Sql, values?: readonly unknown[]) => Promise<R[]>;

/** Deadlock and serialization failures: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/** Reads `pool`, `statement_timeout` and `connect_timeout` from a postgres:// URL. */
export function parsePostgresUrl(url: string): PostgresStoreOptions {
  const parsed = new URL(url);
  const take = (name: string): number | undefined => {
    const value = parsed.searchParams.get(name);
    if (value === null) return undefined;
    parsed.searchParams.delete(name);
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`database URL parameter ${name} must be a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
  const poolSize = take('pool');
  const statementTimeoutMs = take('statement_timeout');
  const connectTimeout = take('connect_timeout');
  return {
    connectionString: parsed.toString(),
    ...(poolSize !== undefined ? { poolSize: Math.floor(poolSize) } : {}),
    ...(statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}),
    ...(connectTimeout !== undefined ? { connectTimeoutMs: connectTimeout * 1000 } : {}),
  };
}

/**
 * The scale-out store on PostgreSQL, behaviour-identical to SqliteStore (the same storeContract
 * and src/store/sql compiler). Every write is one transaction on one pooled client; concurrency
 * between instances is held by the database: unique indexes for uniqueness, row locks
 * (SELECT … FOR NO KEY UPDATE) plus the version check for expectedVersion, and membership rows
 * inserted with ON CONFLICT DO NOTHING, never a read-modify-write of a member list.
 * Connection failures surface as StoreUnavailableError (503 + Retry-After); the pool reconnects
 * by itself when the database is back.
 */
export class PostgresStore implements Store {
  readonly capabilities = { dialect: 'postgres' } as const;
  readonly #pool: Pool;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      // A socket that stops answering (network partition) must not hang a request either.
      query_timeout: (options.statementTimeoutMs ?? 15_000) + 5000,
      idle_in_transaction_session_timeout: 60_000,
      idleTimeoutMillis: 30_000,
      application_name: 'scimd',
      types: TYPES,
    };
    this.#pool = new pg.Pool(config);
    // An idle client losing its connection (database restart) must not crash the process; the
    // pool drops it and the next query opens a new one.
    this.#pool.on('error', () => undefined);
  }

  static fromUrl(url: string): PostgresStore {
    return new PostgresStore(parsePostgresUrl(url));
  }

  /** The pool, for PostgreSQL-specific tests and tooling. */
  get pool(): Pool {
    return this.#pool;
  }

  async migrate(): Promise<readonly number[]> {
    const client = await this.#connect();
    let broken = false;
    try {
      return await runMigrations(client);
    } catch (error) {
      broken = isUnavailable(error);
      throw translate(error);
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.#run('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw translate(error);
    }
  }

  /** One statement on any pooled connection (autocommit). */
  #run: Run = async (text, values) => {
    const q = typeof text === 'string' ? { text, values: values ? [...values] : [] } : toPostgres(text);
    try {
      return (await this.#pool.query(q.text, q.values)).rows;
    } catch (error) {
      throw translate(error);
    }
  };

  /** `fn` in one transaction on one client; retried whole on deadlock or serialization failure. */
  async #tx<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#connect();
      let broken = false;
      const run: Run = async (text, values) => {
        const q = typeof text === 'string' ? { text, values: values ? [...values] : [] } : toPostgres(text);
        return (await client.query(q.text, q.values)).rows;
      };
      try {
        await client.query('BEGIN');
        const result = await fn(run);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        if (isUnavailable(error)) broken = true;
        const state = sqlState(error);
        if (!broken && state !== undefined && RETRYABLE.has(state) && attempt < MAX_ATTEMPTS) continue;
        throw translate(error);
      } finally {
        client.release(broken);
      }
    }
  }

  // ---- tenants and tokens -------------------------------------------------------------------

  async createTenant(tenant: TenantRecord): Promise<TenantRecord> {
    if (hasNul(tenant.name) || hasNul(tenant.id)) throw invalidValue('a tenant name cannot contain U+0000');
    try {
      await this.#run('INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)', [tenant.id, tenant.name, tenant.createdAt]);
    } catch (error) {
      if (sqlState(error) === '23505') throw uniqueness(`a tenant named "${tenant.name}" (or with id ${tenant.id}) already exists`);
      throw error;
    }
    return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt };
  }

  async listTenants(): Promise<readonly TenantRecord[]> {
    const rows = await this.#run<{ id: string; name: string; created_at: string }>('SELECT id, name, created_at FROM tenants ORDER BY name');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  async findTenantByName(name: string): Promise<TenantRecord | undefined> {
    if (hasNul(name)) return undefined;
    const [r] = await this.#run<{ id: string; name: string; created_at: string }>('SELECT id, name, created_at FROM tenants WHERE name = $1', [name]);
    return r && { id: r.id, name: r.name, createdAt: r.created_at };
  }

  async createToken(token: NewToken): Promise<TokenRecord> {
    try {
      await this.#run('INSERT INTO tokens (id, tenant_id, hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        token.id,
        token.tenantId,
        token.hash,
        token.label ?? null,
        token.createdAt,
        token.expiresAt ?? null,
      ]);
    } catch (error) {
      if (sqlState(error) === '23505') throw uniqueness(`token ${token.id} already exists`);
      if (sqlState(error) === '23503') throw notFound(`tenant ${token.tenantId} not found`);
      throw error;
    }
    const [row] = await this.#run<TokenRow>(`${TOKEN_SELECT} WHERE k.id = $1`, [token.id]);
    return toToken(row!);
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    if (hasNul(hash)) return undefined;
    const [row] = await this.#run<TokenRow>(`${TOKEN_SELECT} WHERE k.hash = $1`, [hash]);
    return row && toToken(row);
  }

  async listTokens(tenantId?: string): Promise<readonly TokenRecord[]> {
    const rows =
      tenantId === undefined
        ? await this.#run<TokenRow>(`${TOKEN_SELECT} ORDER BY k.created_at, k.id`)
        : await this.#run<TokenRow>(`${TOKEN_SELECT} WHERE k.tenant_id = $1 ORDER BY k.created_at, k.id`, [tenantId]);
    return rows.map(toToken);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    if (hasNul(id)) return false;
    const rows = await this.#run('UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 RETURNING id', [at, id]);
    return rows.length > 0;
  }

  async touchToken(id: string, at: string): Promise<void> {
    if (hasNul(id)) return;
    await this.#run('UPDATE tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
  }

  // ---- reads --------------------------------------------------------------------------------

  async get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined> {
    const row = await this.#find(this.#run, tenantId, resourceType, id);
    return row && (await this.#hydrate(this.#run, tenantId, [row], include))[0];
  }

  async #find(run: Run, tenantId: string, resourceType: ResourceTypeName, id: string, lock = ''): Promise<ResourceRow | undefined> {
    // An id with U+0000 (from a URL such as /Users/%00) names nothing this store can hold.
    if (hasNul(id)) return undefined;
    const [row] = await run<ResourceRow>(
      `SELECT ${COLUMNS} FROM resources r WHERE r.tenant_id = $1 AND r.resource_type = $2 AND r.id = $3 ${lock}`,
      [tenantId, resourceType, id],
    );
    return row;
  }

  /** Rows → resources, with members / groups read in one statement for the whole page. */
  async #hydrate(run: Run, tenantId: string, rows: readonly ResourceRow[], include: Include): Promise<StoredResource[]> {
    const members = include.members ? await this.#references(run, MEMBERS_OF, tenantId, rows, 'Group') : undefined;
    const groups = include.groups ? await this.#references(run, GROUPS_OF, tenantId, rows, 'User') : undefined;
    return rows.map((row) => ({
      id: row.id,
      resourceType: row.resource_type,
      doc: row.doc,
      version: row.version,
      created: iso(row.created_ms),
      lastModified: iso(row.modified_ms),
      ...(members && row.resource_type === 'Group' ? { members: members.get(row.row_key) ?? [] } : {}),
      ...(groups && row.resource_type === 'User' ? { groups: groups.get(row.row_key) ?? [] } : {}),
      ...(include.passwordHash ? { passwordHash: orUndefined(row.password_hash) } : {}),
    }));
  }

  async #references(run: Run, text: string, tenantId: string, rows: readonly ResourceRow[], ownerType: ResourceTypeName) {
    const keys = rows.filter((r) => r.resource_type === ownerType).map((r) => r.row_key);
    if (keys.length === 0) return new Map<number, ReferenceView[]>();
    return groupReferences(await run<ReferenceRow>(text, [tenantId, keys]));
  }

  async query(tenantId: string, query: ResourceQuery): Promise<QueryResult> {
    const run = this.#run;
    const where = whereOfQuery(postgresDialect, tenantId, query);
    const key = sortKey(postgresDialect, tenantId, query.targets);
    const select = sql`SELECT ${raw(COLUMNS)}, ${key.expr ?? raw('NULL')} AS sort_value FROM resources r`;
    const { page } = query;
    const count = async () => (await run<{ n: number }>(sql`SELECT count(*) AS n FROM resources r WHERE ${where}`))[0]!.n;

    if (page.kind === 'index') {
      const offset = Math.max(page.startIndex, 1) - 1;
      if (page.count <= 0) {
        const total = await count();
        return { ...emptyResult(total), hasPrevious: offset > 0 && total > 0 };
      }
      const rows = await run<ResourceRow>(sql`${select} WHERE ${where} ${orderBy(key, query.descending)} LIMIT ${limit(page.count)} OFFSET ${limit(offset)}`);
      // A first page that is not full holds every match: one statement for the lookups identity
      // providers make before each write (userName eq …).
      const total = offset === 0 && rows.length < page.count ? rows.length : await count();
      return this.#result(tenantId, total, rows, query.include, offset + rows.length < total, offset > 0);
    }
    const total = page.withTotal ? await count() : undefined;
    const empty = emptyResult(total);

    // Keyset page: a seek on the order's index, never an OFFSET, so page n costs what page 1 does.
    const backwards = page.before !== undefined && page.after === undefined;
    const cursor = backwards ? page.before : page.after;
    const descending = query.descending !== backwards;
    if (total === 0) return empty;
    const seek = cursor ? sql` AND ${afterKey(key, descending, cursor)}` : raw('');
    const fetched =
      page.count > 0 ? await run<ResourceRow>(sql`${select} WHERE ${where}${seek} ${orderBy(key, descending)} LIMIT ${limit(page.count + 1)}`) : [];
    const more = fetched.length > page.count;
    const rows = fetched.slice(0, page.count);
    if (backwards) rows.reverse();
    const behind =
      cursor !== undefined && (await run(sql`SELECT 1 FROM resources r WHERE ${where} AND ${atOrBeforeKey(key, descending, cursor)} LIMIT 1`)).length > 0;
    return backwards
      ? this.#result(tenantId, total, rows, query.include, behind, more)
      : this.#result(tenantId, total, rows, query.include, more, behind);
  }

  async #result(
    tenantId: string,
    total: number | undefined,
    rows: readonly ResourceRow[],
    include: Include,
    hasNext: boolean,
    hasPrevious: boolean,
  ): Promise<QueryResult> {
    return {
      totalResults: total,
      resources: await this.#hydrate(this.#run, tenantId, rows, include),
      firstKey: cursorKeyOf(rows[0]),
      lastKey: cursorKeyOf(rows[rows.length - 1]),
      hasNext,
      hasPrevious,
    };
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    refuseNul(command.doc, '');
    const promoted = promote(command.resourceType, command.doc);
    const now = ms(command.now);
    return this.#tx(async (run) => {
      let rowKey: number;
      try {
        const [row] = await run<{ row_key: number }>(
          `INSERT INTO resources (tenant_id, resource_type, id, doc, password_hash, version, created_ms, modified_ms, name_key, display_name, external_id)
           VALUES ($1, $2, $3, $4::jsonb, $5, 1, $6, $7, $8, $9, $10) RETURNING row_key`,
          [
            tenantId,
            command.resourceType,
            command.id,
            JSON.stringify(command.doc),
            command.passwordHash ?? null,
            now,
            now,
            promoted.nameKey,
            promoted.displayName,
            promoted.externalId,
          ],
        );
        rowKey = row!.row_key;
      } catch (error) {
        throw translateUnique(error, command.resourceType, command.id, command.doc);
      }
      await this.#writeValues(run, tenantId, rowKey, command.resourceType, command.doc, false);
      const delta = new DeltaTracker();
      if (command.members && command.members.length > 0) {
        requireGroup(command.resourceType);
        await this.#addMembers(run, tenantId, rowKey, command.members, delta);
      }
      const result: WriteResult = {
        resource: { id: command.id, resourceType: command.resourceType, doc: command.doc, version: 1, created: iso(now), lastModified: iso(now) },
        memberDelta: delta.result(),
      };
      await appendEvents(run, tenantId, command.events, result);
      return result;
    });
  }

  async update(tenantId: string, command: UpdateCommand): Promise<WriteResult> {
    if (command.doc) refuseNul(command.doc, '');
    return this.#tx(async (run) => {
      // NO KEY UPDATE: serializes writers of this row, yet lets other transactions add
      // memberships that reference it (their foreign key checks take KEY SHARE).
      const row = await this.#find(run, tenantId, command.resourceType, command.id, 'FOR NO KEY UPDATE');
      if (!row) throw notFound(`${command.resourceType} ${command.id} not found`);
      if (row.version !== command.expectedVersion) throw new VersionConflictError();
      const delta = new DeltaTracker();
      if (command.memberOps && command.memberOps.length > 0) {
        requireGroup(command.resourceType);
        for (const op of command.memberOps) await this.#applyMemberOp(run, tenantId, row.row_key, op, delta);
      }
      const memberDelta = delta.result();
      const changed =
        command.doc !== undefined || command.passwordHash !== undefined || memberDelta.added.length > 0 || memberDelta.removed.length > 0;
      // Adding a member that is already there changes nothing: the version stays (RFC 7644 §3.14).
      const version = changed ? row.version + 1 : row.version;
      const now = changed ? ms(command.now) : row.modified_ms;
      const passwordHash = command.passwordHash === undefined ? row.password_hash : command.passwordHash;
      if (command.doc) {
        const promoted = promote(command.resourceType, command.doc);
        try {
          await run(
            `UPDATE resources SET doc = $1::jsonb, password_hash = $2, version = $3, modified_ms = $4, name_key = $5, display_name = $6, external_id = $7
             WHERE row_key = $8`,
            [JSON.stringify(command.doc), passwordHash, version, now, promoted.nameKey, promoted.displayName, promoted.externalId, row.row_key],
          );
        } catch (error) {
          throw translateUnique(error, command.resourceType, command.id, command.doc);
        }
        await this.#writeValues(run, tenantId, row.row_key, command.resourceType, command.doc, true);
      } else if (changed) {
        await run('UPDATE resources SET password_hash = $1, version = $2, modified_ms = $3 WHERE row_key = $4', [passwordHash, version, now, row.row_key]);
      }
      const result: WriteResult = {
        resource: {
          id: row.id,
          resourceType: row.resource_type,
          doc: command.doc ?? row.doc,
          version,
          created: iso(row.created_ms),
          lastModified: iso(now),
        },
        memberDelta,
      };
      // A write that changed nothing kept the version: it has no events.
      if (changed) await appendEvents(run, tenantId, command.events, result);
      return result;
    });
  }

  async delete(
    tenantId: string,
    resourceType: ResourceTypeName,
    id: string,
    expectedVersion?: number,
    events?: EventBuilder<StoredResource>,
  ): Promise<StoredResource> {
    return this.#tx(async (run) => {
      const row = await this.#find(run, tenantId, resourceType, id, 'FOR UPDATE');
      if (!row) throw notFound(`${resourceType} ${id} not found`);
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw new VersionConflictError();
      // Memberships on either side and the values index go with it (ON DELETE CASCADE).
      await run('DELETE FROM resources WHERE row_key = $1', [row.row_key]);
      const deleted = (await this.#hydrate(run, tenantId, [row], {}))[0]!;
      await appendEvents(run, tenantId, events, deleted);
      return deleted;
    });
  }

  // ---- outbox -------------------------------------------------------------------------------

  async readEvents(tenantId: string, afterSequence: number, limit: number): Promise<readonly OutboxRecord[]> {
    const rows = await this.#run<OutboxRow>(`${OUTBOX_SELECT} WHERE o.tenant_id = $1 AND o.sequence > $2 ORDER BY o.sequence LIMIT $3`, [
      tenantId,
      afterSequence,
      limit,
    ]);
    return rows.map(toRecord);
  }

  async pendingEvents(sink: string, limit: number): Promise<readonly OutboxRecord[]> {
    // Tenants with work first (one row per tenant), then an index range per tenant: never a scan
    // over the delivered rows that wait for pruning. Committed sequences have no gaps (see
    // outbox_counters), so "sequence > cursor" never skips an event that commits later.
    return this.#tx(async (run) => {
      const tenants = await run<{ tenant_id: string; done: number }>(
        `SELECT c.tenant_id, coalesce(d.delivered_sequence, 0) AS done FROM outbox_counters c
         LEFT JOIN outbox_delivery d ON d.sink = $1 AND d.tenant_id = c.tenant_id
         WHERE c.last_sequence > coalesce(d.delivered_sequence, 0)`,
        [sink],
      );
      const out: OutboxRecord[] = [];
      for (const t of tenants) {
        if (out.length >= limit) break;
        const rows = await run<OutboxRow>(`${OUTBOX_SELECT} WHERE o.tenant_id = $1 AND o.sequence > $2 ORDER BY o.sequence LIMIT $3`, [
          t.tenant_id,
          t.done,
          limit - out.length,
        ]);
        for (const row of rows) out.push(toRecord(row));
      }
      return out;
    });
  }

  async claimEvents(sink: string, owner: string, limit: number, leaseMs: number): Promise<readonly OutboxRecord[]> {
    // One statement takes the leases: INSERT … ON CONFLICT DO UPDATE locks a conflicting row and
    // evaluates the WHERE on its latest version, so of two relays racing for a tenant exactly one
    // gets it. Time is the database's (clock_timestamp), the same for every instance.
    const claimed = await this.#run<{ tenant_id: string }>(
      `WITH work AS (
         SELECT c.tenant_id FROM outbox_counters c
         LEFT JOIN outbox_delivery d ON d.sink = $1 AND d.tenant_id = c.tenant_id
         WHERE c.last_sequence > coalesce(d.delivered_sequence, 0)
       ), clock AS (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms)
       INSERT INTO outbox_leases AS l (sink, tenant_id, owner, until_ms)
       SELECT $1, w.tenant_id, $2, clock.now_ms + $3 FROM work w, clock ORDER BY w.tenant_id
       ON CONFLICT (sink, tenant_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
         WHERE l.owner = excluded.owner OR l.until_ms < excluded.until_ms - $3
       RETURNING l.tenant_id`,
      [sink, owner, Math.ceil(leaseMs)],
    );
    if (claimed.length === 0) return [];
    // A later statement, hence a later snapshot: it sees the cursor the previous holder committed
    // before it released or lost the lease.
    const out: OutboxRecord[] = [];
    for (const { tenant_id: tenantId } of claimed) {
      if (out.length >= limit) break;
      const rows = await this.#run<OutboxRow>(
        `${OUTBOX_SELECT} WHERE o.tenant_id = $1
           AND o.sequence > coalesce((SELECT delivered_sequence FROM outbox_delivery WHERE sink = $2 AND tenant_id = $1), 0)
         ORDER BY o.sequence LIMIT $3`,
        [tenantId, sink, limit - out.length],
      );
      for (const row of rows) out.push(toRecord(row));
    }
    return out;
  }

  async renewLeases(sink: string, owner: string, tenantIds: readonly string[], leaseMs: number): Promise<readonly string[]> {
    if (tenantIds.length === 0) return [];
    const rows = await this.#run<{ tenant_id: string }>(
      `UPDATE outbox_leases SET until_ms = (extract(epoch FROM clock_timestamp()) * 1000)::bigint + $3
       WHERE sink = $1 AND owner = $2 AND tenant_id = ANY($4::text[]) RETURNING tenant_id`,
      [sink, owner, Math.ceil(leaseMs), [...tenantIds]],
    );
    return rows.map((r) => r.tenant_id);
  }

  async releaseLeases(sink: string, owner: string): Promise<void> {
    await this.#run('DELETE FROM outbox_leases WHERE sink = $1 AND owner = $2', [sink, owner]);
  }

  async markDelivered(sink: string, tenantId: string, sequence: number): Promise<void> {
    await this.#run(
      `INSERT INTO outbox_delivery (sink, tenant_id, delivered_sequence) VALUES ($1, $2, $3)
       ON CONFLICT (sink, tenant_id) DO UPDATE SET delivered_sequence = greatest(outbox_delivery.delivered_sequence, excluded.delivered_sequence)`,
      [sink, tenantId, sequence],
    );
  }

  async pruneEvents(sinks: readonly string[], before: string): Promise<number> {
    const rows = await this.#run<{ n: number }>(
      `WITH bound AS (
         SELECT c.tenant_id,
                least(c.last_sequence, coalesce((SELECT min(coalesce(d.delivered_sequence, 0))
                  FROM unnest($1::text[]) AS s(sink)
                  LEFT JOIN outbox_delivery d ON d.sink = s.sink AND d.tenant_id = c.tenant_id), c.last_sequence)) AS up_to
         FROM outbox_counters c
       ), gone AS (
         DELETE FROM outbox o USING bound b
         WHERE o.tenant_id = b.tenant_id AND o.sequence <= b.up_to AND o.time_ms < $2
         RETURNING 1
       )
       SELECT count(*) AS n FROM gone`,
      [[...sinks], ms(before)],
    );
    return rows[0]!.n;
  }

  async outboxStats(sinks: readonly string[]): Promise<OutboxStats> {
    const [{ depth } = { depth: 0 }] = await this.#run<{ depth: number }>('SELECT count(*) AS depth FROM outbox');
    const result: OutboxStats['sinks'][number][] = [];
    for (const sink of sinks) {
      const rows = await this.#run<{ pending: number; oldest: string | null }>(
        `SELECT c.last_sequence - coalesce(d.delivered_sequence, 0) AS pending, o.time AS oldest
         FROM outbox_counters c
         LEFT JOIN outbox_delivery d ON d.sink = $1 AND d.tenant_id = c.tenant_id
         LEFT JOIN outbox o ON o.tenant_id = c.tenant_id AND o.sequence = coalesce(d.delivered_sequence, 0) + 1
         WHERE c.last_sequence > coalesce(d.delivered_sequence, 0)`,
        [sink],
      );
      const oldest = rows.map((r) => r.oldest).filter((t): t is string => t !== null).sort()[0];
      result.push({ sink, pending: rows.reduce((n, r) => n + r.pending, 0), oldestTime: oldest });
    }
    return { depth, sinks: result };
  }

  // ---- RFC 8936 poll state (SetPollStore) -----------------------------------------------------

  async acknowledgeSets(tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Promise<readonly string[]> {
    if (acknowledgements.length === 0) return [];
    return this.#tx(async (run) => {
      const matched = await run<{ id: string }>(
        `WITH given AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS g(jti, err, description)
         ), found AS (
           SELECT o.sequence, o.id, g.err, g.description FROM given g JOIN outbox o ON o.tenant_id = $1 AND o.id = g.jti
         ), recorded AS (
           INSERT INTO set_poll_acks (tenant_id, sequence, err, description, acked_at)
           SELECT $1, sequence, err, description, $5 FROM found
           ON CONFLICT (tenant_id, sequence) DO NOTHING
         )
         SELECT id FROM found`,
        [tenantId, acknowledgements.map((a) => a.jti), acknowledgements.map((a) => a.err ?? null), acknowledgements.map((a) => a.description ?? null), at],
      );
      // The statement above cannot see its own inserts: the cursor moves in the next one.
      await compactSetAcks(run, tenantId);
      return matched.map((r) => r.id);
    });
  }

  async unacknowledgedSets(tenantId: string, limit: number): Promise<readonly OutboxRecord[]> {
    const rows = await this.#run<OutboxRow>(
      `${OUTBOX_SELECT} WHERE o.tenant_id = $1
         AND o.sequence > coalesce((SELECT acked_through FROM set_poll_cursors WHERE tenant_id = $1), 0)
         AND NOT EXISTS (SELECT 1 FROM set_poll_acks a WHERE a.tenant_id = o.tenant_id AND a.sequence = o.sequence)
       ORDER BY o.sequence LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map(toRecord);
  }

  async setSigningKeys(candidate: string, at: string): Promise<string> {
    // Instances starting together: the first insert wins and every instance reads the winner.
    await this.#run(`INSERT INTO set_signing_keys (id, jwks, created_at) VALUES ('generated', $1, $2) ON CONFLICT (id) DO NOTHING`, [candidate, at]);
    const [row] = await this.#run<{ jwks: string }>(`SELECT jwks FROM set_signing_keys WHERE id = 'generated'`);
    return row!.jwks;
  }

  async #writeValues(run: Run, tenantId: string, rowKey: number, resourceType: ResourceTypeName, doc: Readonly<Record<string, unknown>>, replace: boolean) {
    if (replace) await run('DELETE FROM resource_values WHERE resource_row = $1', [rowKey]);
    const rows = valueRows(resourceType, doc);
    if (rows.length === 0) return;
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    await run(
      `INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type)
       SELECT $1, u.attr, u.idx, $2, u.value, u.type FROM unnest($3::text[], $4::int[], $5::text[], $6::text[]) AS u(attr, idx, value, type)`,
      [rowKey, tenantId, rows.map((r) => r.attr), rows.map((r) => r.idx), rows.map((r) => text(r.value)), rows.map((r) => text(r.type))],
    );
  }

  async #applyMemberOp(run: Run, tenantId: string, groupRow: number, op: MemberOp, delta: DeltaTracker) {
    switch (op.kind) {
      case 'add':
        return this.#addMembers(run, tenantId, groupRow, op.members, delta);
      case 'remove': {
        const values = op.values.filter((v) => !hasNul(v));
        if (values.length === 0) return;
        const removed = new Set(
          (
            await run<{ id: string }>(
              `DELETE FROM memberships m USING resources o
               WHERE m.tenant_id = $1 AND m.group_row = $2 AND o.tenant_id = $1 AND o.id = ANY($3::text[]) AND m.member_row = o.row_key
               RETURNING o.id`,
              [tenantId, groupRow, values],
            )
          ).map((r) => r.id),
        );
        for (const value of values) if (removed.delete(value)) delta.remove(value);
        return;
      }
      case 'removeAll': {
        const rows = await run<{ id: string; seq: number }>(
          `DELETE FROM memberships m USING resources o
           WHERE m.tenant_id = $1 AND m.group_row = $2 AND o.row_key = m.member_row RETURNING o.id, m.seq`,
          [tenantId, groupRow],
        );
        for (const r of rows.sort((a, b) => a.seq - b.seq)) delta.remove(r.id);
        return;
      }
      default:
        return op satisfies never;
    }
  }

  /** Two statements whatever the number of members: look them all up, insert them all. */
  async #addMembers(run: Run, tenantId: string, groupRow: number, members: readonly MemberInput[], delta: DeltaTracker) {
    if (members.length === 0) return;
    const found = await run<{ ord: number; row_key: number | null; resource_type: ResourceTypeName | null }>(
      `SELECT m.ord, o.row_key, o.resource_type
       FROM unnest($2::text[]) WITH ORDINALITY AS m(value, ord)
       LEFT JOIN resources o ON o.tenant_id = $1 AND o.id = m.value ORDER BY m.ord`,
      [tenantId, members.map((m) => (hasNul(m.value) ? null : m.value))],
    );
    const rowKeys: number[] = [];
    const idOf = new Map<number, string>();
    members.forEach((member, i) => {
      const target = found[i];
      if (!target || target.row_key === null) throw invalidValue(`member ${JSON.stringify(member.value)} does not exist`);
      if (target.resource_type !== 'User' || (member.type !== undefined && member.type.toLowerCase() !== 'user')) {
        throw invalidValue(`member ${JSON.stringify(member.value)}: nested groups are not supported`);
      }
      if (!idOf.has(target.row_key)) {
        idOf.set(target.row_key, member.value);
        rowKeys.push(target.row_key);
      }
    });
    let inserted: Set<number>;
    try {
      inserted = new Set(
        (
          await run<{ member_row: number }>(
            `INSERT INTO memberships (tenant_id, group_row, member_row, member_type)
             SELECT $1, $2, u.member_row, 'User' FROM unnest($3::bigint[]) WITH ORDINALITY AS u(member_row, ord) ORDER BY u.ord
             ON CONFLICT (group_row, member_row) DO NOTHING RETURNING member_row`,
            [tenantId, groupRow, rowKeys],
          )
        ).map((r) => r.member_row),
      );
    } catch (error) {
      // The user was deleted by another transaction between the lookup and the insert.
      if (sqlState(error) === '23503') throw invalidValue('a member was deleted while being added');
      throw error;
    }
    for (const rowKey of rowKeys) if (inserted.has(rowKey)) delta.add(idOf.get(rowKey)!);
  }
}

/**
 * Inside the caller's transaction: each event takes the tenant's next sequence. The counter row's
 * lock, held to COMMIT, orders the commits of one tenant by sequence (docs/events.md).
 */
async function appendEvents<O>(run: Run, tenantId: string, build: EventBuilder<O> | undefined, outcome: O): Promise<void> {
  if (!build) return;
  const events: readonly NewEvent[] = build(outcome);
  if (events.length === 0) return;
  const [counter] = await run<{ last_sequence: number }>(
    `INSERT INTO outbox_counters (tenant_id, last_sequence) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET last_sequence = outbox_counters.last_sequence + excluded.last_sequence RETURNING last_sequence`,
    [tenantId, events.length],
  );
  const first = counter!.last_sequence - events.length + 1;
  await run(
    `INSERT INTO outbox (tenant_id, sequence, id, type, subject, source, time, time_ms, data)
     SELECT $1, $2 + u.ord - 1, u.id, u.type, u.subject, u.source, u.time, u.time_ms, u.data
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[]) WITH ORDINALITY
       AS u(id, type, subject, source, time, time_ms, data, ord)`,
    [
      tenantId,
      first,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.subject),
      events.map((e) => e.source),
      events.map((e) => e.time),
      events.map((e) => ms(e.time)),
      events.map((e) => JSON.stringify(e.data)),
    ],
  );
}

/**
 * Moves the tenant's RFC 8936 cursor over the acknowledged prefix and drops the rows it covers.
 * Only committed acknowledgements count, so a concurrent poll can hold the cursor back, never
 * push it past an event nobody acknowledged.
 */
async function compactSetAcks(run: Run, tenantId: string): Promise<void> {
  await run(
    `WITH cursor AS (
       SELECT coalesce((SELECT acked_through FROM set_poll_cursors WHERE tenant_id = $1), 0) AS through
     ), bound AS (
       SELECT coalesce(
         (SELECT min(o.sequence) - 1 FROM outbox o, cursor c WHERE o.tenant_id = $1 AND o.sequence > c.through
            AND NOT EXISTS (SELECT 1 FROM set_poll_acks a WHERE a.tenant_id = o.tenant_id AND a.sequence = o.sequence)),
         (SELECT max(sequence) FROM set_poll_acks WHERE tenant_id = $1),
         0) AS next
     )
     INSERT INTO set_poll_cursors (tenant_id, acked_through)
     SELECT $1, b.next FROM bound b, cursor c WHERE b.next > c.through
     ON CONFLICT (tenant_id) DO UPDATE SET acked_through = greatest(set_poll_cursors.acked_through, excluded.acked_through)`,
    [tenantId],
  );
  await run(
    'DELETE FROM set_poll_acks WHERE tenant_id = $1 AND sequence <= (SELECT acked_through FROM set_poll_cursors WHERE tenant_id = $1)',
    [tenantId],
  );
}

function requireGroup(resourceType: ResourceTypeName) {
  if (resourceType !== 'Group') throw invalidValue(`a ${resourceType} has no members`);
}

function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  return isUnavailable(error) ? new StoreUnavailableError() : error;
}

function translateUnique(error: unknown, resourceType: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>): unknown {
  if (sqlState(error) !== '23505') return error;
  return resourceConflict((error as { constraint?: string }).constraint === 'resources_name', resourceType, id, doc);
}

