import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import pg from 'pg';
import { invalidValue, notFound, ScimError } from '../../errors/scim-error.ts';
import type { MemberInput, MemberOp, ReferenceView, ResourceTypeName, StoredResource } from '../../schema/resource.ts';
import type { EventBuilder, NewEvent, OutboxRecord } from '../ports/outbox.ts';
import type { CreateCommand, Include, QueryResult, ResourceQuery, UpdateCommand, WriteResult } from '../ports/resources.ts';
import type { ExtensionChange } from '../ports/schemas.ts';
import type { SetAcknowledgement } from '../ports/set-poll.ts';
import type { PoolState, Store } from '../ports/store.ts';
import { raw, type Sql, sql } from '../sql/fragment.ts';
import { groupsOfUsers, type NestingCheckRow, nestingCheck, refuseBadNesting } from '../sql/nesting.ts';
import { claimedEvents } from '../sql/outbox.ts';
import { promote } from '../sql/promote.ts';
import {
  cursorKeyOf,
  DeltaTracker,
  emptyResult,
  groupReferences,
  hydrate,
  iso,
  limit,
  ms,
  newResourceRow,
  type ReferenceRow,
  type ResourceRowBase,
  refuseWrongMemberType,
  resourceConflict,
  whereOfQuery,
} from '../sql/rows.ts';
import { runPlanAsync, type SqlRunner } from '../sql/run.ts';
import { afterKey, atOrBeforeKey, orderBy, sortKey } from '../sql/sort.ts';
import { SqlStore } from '../sql/store.ts';
import { type ValueRow, valueRows } from '../sql/values-index.ts';
import { VersionConflictError } from '../version-conflict.ts';
import { postgresDialect } from './dialect.ts';
import { isLostInFlight, isUnavailable, StoreUnavailableError, sqlState } from './errors.ts';
import { extensionsVersion, loadExtensions, saveExtensions, valuesAt, writeUniqueValues } from './extensions.ts';
import { runMigrations } from './migrations.ts';
import { OutageGuard } from './outage.ts';
import { PipelinedReads } from './pipelined-reads.ts';
import { toPostgres } from './placeholders.ts';
import { prepared } from './prepared.ts';
import { HAS_UNSEQUENCED, SEQUENCE_BATCH, sequenceTenant, UNSEQUENCED_TENANTS } from './sequencer.ts';

interface ResourceRow extends ResourceRowBase {
  readonly doc: Record<string, unknown>;
  readonly sort_value?: string | number | null;
}

export interface PostgresStoreOptions {
  /** A libpq-style URL; the scimd query parameters below are read from it and removed. */
  readonly connectionString: string;
  /** Pool size (URL `?pool=`), default 10. Each instance holds at most this many connections. */
  readonly poolSize?: number;
  /**
   * Server-side statement_timeout in ms (URL `?statement_timeout=`), default 5000; the client
   * gives up on an answer a second later (a database that stopped answering).
   */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection, from the pool or new (URL `?connect_timeout=`, seconds as in libpq), default 2 s. */
  readonly connectTimeoutMs?: number;
  /** Pipelined connections for plain reads (URL `?read_connections=`), default 2; 0 = reads use the pool. */
  readonly readConnections?: number;
}

const COLUMNS = 'r.row_key, r.resource_type, r.id, r.doc, r.version, r.created_ms, r.modified_ms, r.password_hash';
/**
 * A user's direct groups as a column of its own row (directGroupsFromJson), each with whether it
 * is itself in a group, as the SQLite store reads them: a lookup is one statement, one round
 * trip; only a user reached through nested groups needs the recursive walk (groupsOfUsers) for
 * its indirect groups. Row keys are unique across tenants, so `member_row` alone selects them.
 */
const GROUPS_COLUMNS = `(SELECT coalesce(json_agg(json_build_array(m.group_row, o.id, o.resource_type, o.doc ->> 'displayName',
      EXISTS (SELECT 1 FROM memberships p WHERE p.member_row = m.group_row))), '[]')::text
    FROM memberships m JOIN resources o ON o.row_key = m.group_row
    WHERE m.member_row = r.row_key) AS groups_json`;
const columnsFor = (include: Include) => (include.groups ? `${COLUMNS}, ${GROUPS_COLUMNS}` : COLUMNS);
const _TOKEN_SELECT =
  'SELECT k.id, k.tenant_id, t.name AS tenant_name, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, t.disabled_at AS tenant_disabled_at FROM tokens k JOIN tenants t ON t.id = k.tenant_id';
// A member's display is its displayName, else its userName; a group's is its displayName.
const MEMBERS_OF = `SELECT m.group_row AS owner, o.id AS value, m.member_type AS type, o.resource_type AS resource_type,
    coalesce(nullif(o.doc ->> 'displayName', ''), o.doc ->> 'userName') AS display
  FROM memberships m JOIN resources o ON o.row_key = m.member_row
  WHERE m.tenant_id = $1 AND m.group_row = ANY($2::bigint[]) ORDER BY m.seq`;
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

export type Run = <R extends QueryResultRow = QueryResultRow>(text: string | Sql, values?: readonly unknown[]) => Promise<R[]>;

/** A statement text (numbered placeholders) or a fragment (`?` placeholders) as a prepared query. */
function statement(text: string | Sql, values?: readonly unknown[]) {
  const q = typeof text === 'string' ? { text, values: values ? [...values] : [] } : toPostgres(text);
  return prepared(q.text, q.values);
}

/** Deadlock and serialization failures: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
/** First key of the per-tenant advisory lock that serialises group-in-group additions (#addMembers). */
const NESTING_LOCK_CLASS = 0x5c1d_0007;
const MAX_ATTEMPTS = 3;
/** docs/postgresql.md, "Timeouts": the defaults bound how long a request can wait on the database. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** How much longer than statement_timeout the client waits before it takes the database for gone. */
const ANSWER_MARGIN_MS = 1000;

/** Reads `pool`, `statement_timeout`, `connect_timeout` and `read_connections` from a postgres:// URL. */
export function parsePostgresUrl(url: string): PostgresStoreOptions {
  const parsed = new URL(url);
  const take = (name: string, zeroAllowed = false): number | undefined => {
    const value = parsed.searchParams.get(name);
    if (value === null) return undefined;
    parsed.searchParams.delete(name);
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)) {
      throw new Error(
        `database URL parameter ${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
  const poolSize = take('pool');
  const statementTimeoutMs = take('statement_timeout');
  const connectTimeout = take('connect_timeout');
  const readConnections = take('read_connections', true);
  return {
    connectionString: parsed.toString(),
    ...(poolSize !== undefined ? { poolSize: Math.floor(poolSize) } : {}),
    ...(readConnections !== undefined ? { readConnections: Math.floor(readConnections) } : {}),
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
 * Connection failures surface as StoreUnavailableError (503 + Retry-After), at once while the
 * database is known not to answer (outage.ts); the pool reconnects by itself when it is back.
 */
export class PostgresStore extends SqlStore implements Store {
  readonly capabilities = { dialect: 'postgres' } as const;
  readonly #pool: Pool;
  readonly #reads: PipelinedReads | undefined;
  readonly #config: PoolConfig;
  readonly #guard: OutageGuard;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
    super();
    const statementTimeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    const config: PoolConfig = {
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      statement_timeout: statementTimeout,
      // A socket that stops answering (network partition) must not hang a request either: the
      // server answers a statement within statement_timeout, with its result or 57014.
      query_timeout: statementTimeout + ANSWER_MARGIN_MS,
      idle_in_transaction_session_timeout: 60_000,
      idleTimeoutMillis: 30_000,
      application_name: 'scimd',
      types: TYPES,
    };
    this.#config = config;
    this.#guard = new OutageGuard(config);
    this.#pool = new pg.Pool(config);
    const readConnections = options.readConnections ?? 2;
    this.#reads = readConnections > 0 ? new PipelinedReads(config, readConnections) : undefined;
    // An idle client losing its connection (database restart) must not crash the process; the
    // pool drops it and the next query opens a new one.
    this.#pool.on('error', () => undefined);
    // Nor a checked-out one (#tx, migrate): pg-pool takes its own 'error' listener off a client
    // while it is lent out, so a backend terminated or a socket reset mid-transaction was an
    // unhandled 'error' event that ended the process. The statement in flight (or the next one)
    // fails with the connection error instead: 503 through translate, and #tx releases the
    // client as broken, so the pool opens a new connection for the next request.
    this.#pool.on('connect', (client) => client.on('error', () => undefined));
    // Statements are prepared (prepared.ts) and PostgreSQL's default plan cache applies: after
    // five executions a statement keeps a generic plan when it costs no more than planning for the
    // values. Planning each execution anew (force_custom_plan) cost 0.3 ms of server CPU per
    // userName lookup, seven times the lookup itself; the generic plans of the lookup shapes probe
    // the same unique and value indexes, with or without statistics.
    this.share(this.#runner);
  }

  static fromUrl(url: string): PostgresStore {
    return new PostgresStore(parsePostgresUrl(url));
  }

  /** The pool, for PostgreSQL-specific tests and tooling. */
  get pool(): Pool {
    return this.#pool;
  }

  async migrate(): Promise<readonly number[]> {
    this.#guard.check();
    // A migration may rewrite a big table: on a connection of its own, without the statement
    // bounds that keep requests short.
    const { statement_timeout: _statement, query_timeout: _answer, ...unbounded } = this.#config;
    const client = new pg.Client(unbounded);
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await runMigrations(client);
    } catch (error) {
      throw this.#failed(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  poolState(): PoolState {
    const pool = this.#pool;
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      ...(this.#reads ? { pipelined: this.#reads.state } : {}),
    };
  }

  async ping(): Promise<void> {
    await this.#run('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#guard.close();
    await this.#reads?.close();
    await this.#pool.end();
  }

  /** A failed statement or connection, as the caller should see it; silence opens the guard. */
  #failed(error: unknown): unknown {
    this.#guard.observe(error);
    return translate(error);
  }

  async #connect(): Promise<PoolClient> {
    this.#guard.check();
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /** One statement on any pooled connection (autocommit). */
  #run: Run = async (text, values) => {
    this.#guard.check();
    try {
      return (await this.#pool.query(statement(text, values))).rows;
    } catch (error) {
      throw this.#failed(error);
    }
  };

  /** A plain read (get, list): on a pipelined connection (pipelined-reads.ts), else from the pool. */
  #read: Run = async <R extends QueryResultRow>(text: string | Sql, values?: readonly unknown[]) => {
    this.#guard.check();
    const query = statement(text, values);
    const pipelined = this.#reads?.query<R>(query);
    try {
      return pipelined ? await pipelined : (await this.#pool.query<R>(query)).rows;
    } catch (error) {
      throw this.#failed(error);
    }
  };

  /** `fn` in one transaction on one client; retried whole on deadlock or serialization failure. */
  async #tx<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#connect();
      let broken = false;
      const run: Run = async (text, values) => (await client.query(statement(text, values))).rows;
      try {
        await client.query('BEGIN');
        const result = await fn(run);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that failed (or an answer that never came) is discarded, which rolls the
        // transaction back; a ROLLBACK on it would only wait out another timeout.
        broken = isUnavailable(error);
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        const state = sqlState(error);
        if (!broken && state !== undefined && RETRYABLE.has(state) && attempt < MAX_ATTEMPTS) continue;
        throw this.#failed(error);
      } finally {
        client.release(broken);
      }
    }
  }

  /** Plans run statement by statement, awaiting each answer: in one transaction, or each in autocommit. */
  readonly #runner: SqlRunner = {
    run: async <R>(query: Sql) => (await this.#run(query)) as R[],
    transact: (plan) => this.#tx((run) => runPlanAsync(plan(), run)),
    read: (plan) => runPlanAsync(plan(), this.#run),
    constraintOf: (error) => (({ '23505': 'unique', '23503': 'foreignKey' }) as const)[sqlState(error) ?? ''],
    textHoldsNul: false,
  };

  // ---- reads --------------------------------------------------------------------------------

  async get(tenantId: string, resourceType: ResourceTypeName, id: string, include: Include): Promise<StoredResource | undefined> {
    const row = await this.#find(this.#read, tenantId, resourceType, id, '', include);
    return row && (await this.#hydrate(this.#read, tenantId, [row], include))[0];
  }

  async #find(
    run: Run,
    tenantId: string,
    resourceType: ResourceTypeName,
    id: string,
    lock = '',
    include: Include = {},
  ): Promise<ResourceRow | undefined> {
    // An id with U+0000 (from a URL such as /Users/%00) names nothing this store can hold.
    if (hasNul(id)) return undefined;
    const [row] = await run<ResourceRow>(
      `SELECT ${columnsFor(include)} FROM resources r WHERE r.tenant_id = $1 AND r.resource_type = $2 AND r.id = $3 ${lock}`,
      [tenantId, resourceType, id],
    );
    return row;
  }

  /**
   * Rows → resources: members read in one statement for the whole page; users' groups came with
   * their rows (columnsFor), and only users reached through nested groups need one more.
   */
  async #hydrate(run: Run, tenantId: string, rows: readonly ResourceRow[], include: Include): Promise<StoredResource[]> {
    const page = hydrate(rows, (row) => row.doc, include);
    return page.finish(
      include.members ? await this.#references(run, tenantId, rows, 'Group') : undefined,
      page.nested.length > 0 ? await this.#references(run, tenantId, page.nested, 'User') : undefined,
    );
  }

  /** Members of the page's groups, or (direct and indirect) groups of its users, in one statement. */
  async #references(run: Run, tenantId: string, rows: readonly ResourceRow[], ownerType: ResourceTypeName) {
    const keys = rows.filter((r) => r.resource_type === ownerType).map((r) => r.row_key);
    if (keys.length === 0) return new Map<number, ReferenceView[]>();
    const refs =
      ownerType === 'User'
        ? await run<ReferenceRow>(groupsOfUsers(postgresDialect, tenantId, sql`= ANY(${keys}::bigint[])`))
        : await run<ReferenceRow>(MEMBERS_OF, [tenantId, keys]);
    return groupReferences(refs);
  }

  async query(tenantId: string, query: ResourceQuery): Promise<QueryResult> {
    const run = this.#read;
    const where = whereOfQuery(postgresDialect, tenantId, query);
    const key = sortKey(postgresDialect, tenantId, query.targets);
    const select = sql`SELECT ${raw(columnsFor(query.include))}, ${key.expr ?? raw('NULL')} AS sort_value FROM resources r`;
    const { page } = query;
    const count = async () => (await run<{ n: number }>(sql`SELECT count(*) AS n FROM resources r WHERE ${where}`))[0]!.n;

    if (page.kind === 'index') {
      const offset = Math.max(page.startIndex, 1) - 1;
      if (page.count <= 0) {
        const total = await count();
        return { ...emptyResult(total), hasPrevious: offset > 0 && total > 0 };
      }
      const rows = await run<ResourceRow>(
        sql`${select} WHERE ${where} ${orderBy(key, query.descending)} LIMIT ${limit(page.count)} OFFSET ${limit(offset)}`,
      );
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
      page.count > 0
        ? await run<ResourceRow>(sql`${select} WHERE ${where}${seek} ${orderBy(key, descending)} LIMIT ${limit(page.count + 1)}`)
        : [];
    const more = fetched.length > page.count;
    const rows = fetched.slice(0, page.count);
    if (backwards) rows.reverse();
    const behind =
      cursor !== undefined &&
      (await run(sql`SELECT 1 FROM resources r WHERE ${where} AND ${atOrBeforeKey(key, descending, cursor)} LIMIT 1`)).length > 0;
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
      resources: await this.#hydrate(this.#read, tenantId, rows, include),
      firstKey: cursorKeyOf(rows[0]),
      lastKey: cursorKeyOf(rows[rows.length - 1]),
      hasNext,
      hasPrevious,
    };
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    refuseNul(command.doc, '');
    try {
      return await this.#createOnce(tenantId, command);
    } catch (error) {
      if (!isLostInFlight(error)) throw error;
      return this.#createAgain(tenantId, command);
    }
  }

  #createOnce(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    // One statement needs no transaction of its own: autocommit, one round trip.
    if (isOneStatement(command)) return this.#create(this.#run, tenantId, command);
    return this.#tx((run) => this.#create(run, tenantId, command));
  }

  /**
   * The connection of a create broke with the create on its way. It may have committed: a socket
   * reset on the way back, or a backend that went after its COMMIT, leaves the row stored and the
   * client with a 503, and the client's retry would get a 409 for its own user. So the create runs
   * again, under the same id, on a new connection. If the first attempt committed, the insert meets
   * its row (if that attempt is still running, PostgreSQL makes the insert wait for its outcome)
   * and the create answers from that commit; if it did not, this attempt is the create.
   */
  async #createAgain(tenantId: string, command: CreateCommand): Promise<WriteResult> {
    try {
      return await this.#createOnce(tenantId, command);
    } catch (error) {
      if (!(error instanceof ScimError) || error.status !== 409) throw error;
      const [row] = await this.#run<{ row_key: number }>('SELECT row_key FROM resources WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        command.id,
      ]);
      if (!row) throw error;
      const delta = new DeltaTracker();
      if ((command.members ?? []).length > 0) {
        const members = await this.#run<{ id: string; member_type: ResourceTypeName }>(
          `SELECT o.id, m.member_type FROM memberships m JOIN resources o ON o.row_key = m.member_row
           WHERE m.group_row = $1 ORDER BY m.seq`,
          [row.row_key],
        );
        for (const m of members) delta.add(m.id, m.member_type);
      }
      return { resource: newResourceRow(tenantId, command).resource, memberDelta: delta.result() };
    }
  }

  async createMany(
    tenantId: string,
    commands: readonly CreateCommand[],
    maxFailures = Infinity,
  ): Promise<ReadonlyArray<WriteResult | ScimError>> {
    return this.#tx(async (run) => {
      const results: Array<WriteResult | ScimError> = [];
      let failures = 0;
      for (const command of commands) {
        if (failures >= maxFailures) break;
        await run('SAVEPOINT create_one');
        try {
          refuseNul(command.doc, '');
          results.push(await this.#create(run, tenantId, command));
          await run('RELEASE SAVEPOINT create_one');
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          await run('ROLLBACK TO SAVEPOINT create_one');
          results.push(error);
          failures++;
        }
      }
      return results;
    });
  }

  async #create(run: Run, tenantId: string, command: CreateCommand): Promise<WriteResult> {
    const { values, resource } = newResourceRow(tenantId, command);
    const params = [...values, ...valueArrays(valueRows(command.resourceType, command.doc))];
    const insert = async (events: readonly NewEvent[]) => {
      try {
        const [row] = await run<{ row_key: number }>(
          events.length > 0 ? CREATE_WITH_EVENTS : CREATE,
          events.length > 0 ? [...params, ...outboxArrays(events)] : params,
        );
        return row!.row_key;
      } catch (error) {
        throw translateUnique(error, command.resourceType, command.id, command.doc);
      }
    };
    if (isOneStatement(command)) {
      const result: WriteResult = { resource, memberDelta: new DeltaTracker().result() };
      await insert(command.events?.(result) ?? []);
      return result;
    }
    const members = command.members ?? [];
    if (members.length > 0) requireGroup(command.resourceType);
    const rowKey = await insert([]);
    await writeUniqueValues(run, tenantId, command.resourceType, rowKey, command.uniqueValues, false);
    const delta = new DeltaTracker();
    await this.#addMembers(run, tenantId, rowKey, members, delta);
    const result: WriteResult = { resource, memberDelta: delta.result() };
    await appendEvents(run, tenantId, command.events, result);
    return result;
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
            [
              JSON.stringify(command.doc),
              passwordHash,
              version,
              now,
              promoted.nameKey,
              promoted.displayName,
              promoted.externalId,
              row.row_key,
            ],
          );
        } catch (error) {
          throw translateUnique(error, command.resourceType, command.id, command.doc);
        }
        await this.#rewriteValues(run, tenantId, row.row_key, command.resourceType, command.doc);
        await writeUniqueValues(run, tenantId, command.resourceType, row.row_key, command.uniqueValues, true);
      } else if (changed) {
        await run('UPDATE resources SET password_hash = $1, version = $2, modified_ms = $3 WHERE row_key = $4', [
          passwordHash,
          version,
          now,
          row.row_key,
        ]);
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

  /** Numbers the committed events that have no sequence yet: of one tenant, or of all (sequencer.ts). */
  protected override async sequence(tenantId?: string): Promise<void> {
    const tenants =
      tenantId === undefined
        ? (await this.#run<{ tenant_id: string }>(UNSEQUENCED_TENANTS)).map((r) => r.tenant_id)
        : (await this.#run(HAS_UNSEQUENCED, [tenantId])).length > 0
          ? [tenantId]
          : [];
    for (const tenant of tenants) {
      while ((await this.#tx((run) => sequenceTenant(run, tenant))) === SEQUENCE_BATCH);
    }
  }

  async claimEvents(sink: string, owner: string, limit: number, leaseMs: number): Promise<readonly OutboxRecord[]> {
    await this.sequence();
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
    // A later statement, hence a later snapshot (claimedEvents).
    return this.#runner.read(() =>
      claimedEvents(
        claimed.map((r) => r.tenant_id),
        sink,
        limit,
      ),
    );
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

  // ---- tenant extension schemas (./extensions.ts) ------------------------------------------

  async extensionsVersion(tenantId: string) {
    return extensionsVersion(this.#run, tenantId);
  }

  async loadExtensions(tenantId: string) {
    return loadExtensions(this.#run, tenantId);
  }

  async valuesAt(tenantId: string, resourceType: ResourceTypeName, path: readonly string[]) {
    return valuesAt(this.#run, tenantId, resourceType, path);
  }

  async saveExtensions(tenantId: string, change: ExtensionChange) {
    return this.#tx((run) => saveExtensions(run, tenantId, change));
  }

  // ---- RFC 8936 poll state (SetPollStore) -----------------------------------------------------

  async acknowledgeSets(tenantId: string, acknowledgements: readonly SetAcknowledgement[], at: string): Promise<readonly string[]> {
    if (acknowledgements.length === 0) return [];
    // Acknowledgements name events by id; only numbered ones have a place in the poll stream.
    await this.sequence(tenantId);
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
        [
          tenantId,
          acknowledgements.map((a) => a.jti),
          acknowledgements.map((a) => a.err ?? null),
          acknowledgements.map((a) => a.description ?? null),
          at,
        ],
      );
      // The statement above cannot see its own inserts: the cursor moves in the next one.
      await compactSetAcks(run, tenantId);
      return matched.map((r) => r.id);
    });
  }

  /** The values index follows the document: its rows are replaced with every new version. */
  async #rewriteValues(run: Run, tenantId: string, rowKey: number, resourceType: ResourceTypeName, doc: Readonly<Record<string, unknown>>) {
    await run('DELETE FROM resource_values WHERE resource_row = $1', [rowKey]);
    const rows = valueRows(resourceType, doc);
    if (rows.length > 0) await run(valuesInsert('$1', '$2', 3), [rowKey, tenantId, ...valueArrays(rows)]);
  }

  async #applyMemberOp(run: Run, tenantId: string, groupRow: number, op: MemberOp, delta: DeltaTracker) {
    switch (op.kind) {
      case 'add':
        return this.#addMembers(run, tenantId, groupRow, op.members, delta);
      case 'remove': {
        const values = op.values.filter((v) => !hasNul(v));
        if (values.length === 0) return;
        const removed = new Map(
          (
            await run<{ id: string; member_type: ResourceTypeName }>(
              `DELETE FROM memberships m USING resources o
               WHERE m.tenant_id = $1 AND m.group_row = $2 AND o.tenant_id = $1 AND o.id = ANY($3::text[]) AND m.member_row = o.row_key
               RETURNING o.id, m.member_type`,
              [tenantId, groupRow, values],
            )
          ).map((r) => [r.id, r.member_type]),
        );
        for (const value of values) {
          const type = removed.get(value);
          if (type !== undefined && removed.delete(value)) delta.remove(value, type);
        }
        return;
      }
      case 'removeAll': {
        const rows = await run<{ id: string; seq: number; member_type: ResourceTypeName }>(
          `DELETE FROM memberships m USING resources o
           WHERE m.tenant_id = $1 AND m.group_row = $2 AND o.row_key = m.member_row RETURNING o.id, m.seq, m.member_type`,
          [tenantId, groupRow],
        );
        for (const r of rows.sort((a, b) => a.seq - b.seq)) delta.remove(r.id, r.member_type);
        return;
      }
      default:
        return op satisfies never;
    }
  }

  /**
   * Two statements whatever the number of users added (look them all up, insert them all), plus a
   * nesting check per group added. Why a lock for groups: under READ COMMITTED two transactions
   * adding A ∈ B and B ∈ A would each check a graph without the other's edge and both commit a
   * cycle (or two deepenings that together pass the depth bound). Every write that adds a group
   * as a member therefore first takes a transaction-scoped advisory lock per tenant; the writes
   * queue on it, and the check that follows runs in a new snapshot that sees the edges of every
   * writer that held it before. Only group-in-group additions take it (rare, administrative
   * writes): user members, removals and deletions never wait, since they cannot close a cycle
   * or deepen the graph. SERIALIZABLE would also catch the conflict, but only by aborting one
   * writer after the fact, and it would have to cover every membership write.
   */
  async #addMembers(run: Run, tenantId: string, groupRow: number, members: readonly MemberInput[], delta: DeltaTracker) {
    if (members.length === 0) return;
    const found = await run<{ ord: number; row_key: number | null; resource_type: ResourceTypeName | null }>(
      `SELECT m.ord, o.row_key, o.resource_type
       FROM unnest($2::text[]) WITH ORDINALITY AS m(value, ord)
       LEFT JOIN resources o ON o.tenant_id = $1 AND o.id = m.value ORDER BY m.ord`,
      [tenantId, members.map((m) => (hasNul(m.value) ? null : m.value))],
    );
    const added: { row_key: number; id: string; type: ResourceTypeName }[] = [];
    const seen = new Set<number>();
    members.forEach((member, i) => {
      const target = found[i];
      if (!target || target.row_key === null || target.resource_type === null)
        throw invalidValue(`member ${JSON.stringify(member.value)} does not exist`);
      refuseWrongMemberType(member, target.resource_type);
      if (!seen.has(target.row_key)) {
        seen.add(target.row_key);
        added.push({ row_key: target.row_key, id: member.value, type: target.resource_type });
      }
    });
    const groups = added.filter((m) => m.type === 'Group');
    if (groups.length > 0) {
      await run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NESTING_LOCK_CLASS, tenantId]);
      const [{ id: groupId } = { id: '' }] = await run<{ id: string }>('SELECT id FROM resources WHERE row_key = $1', [groupRow]);
      // Each against the graph without the others: every new edge leaves this group, and a path
      // through it (acyclic) uses at most one of them, so checking them one by one is enough.
      for (const child of groups) {
        const [check] = await run<NestingCheckRow>(nestingCheck(tenantId, groupRow, child.row_key));
        refuseBadNesting(check, groupId, child.id);
      }
    }
    let inserted: Set<number>;
    try {
      inserted = new Set(
        (
          await run<{ member_row: number }>(
            `INSERT INTO memberships (tenant_id, group_row, member_row, member_type)
             SELECT $1, $2, u.member_row, u.member_type FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS u(member_row, member_type, ord) ORDER BY u.ord
             ON CONFLICT (group_row, member_row) DO NOTHING RETURNING member_row`,
            [tenantId, groupRow, added.map((m) => m.row_key), added.map((m) => m.type)],
          )
        ).map((r) => r.member_row),
      );
    } catch (error) {
      // The member was deleted by another transaction between the lookup and the insert.
      if (sqlState(error) === '23503') throw invalidValue('a member was deleted while being added');
      throw error;
    }
    for (const m of added) if (inserted.has(m.row_key)) delta.add(m.id, m.type);
  }
}

/**
 * The INSERT of a write's events into the outbox: $1 is the tenant, the seven arrays start at
 * $first. Rows get their position in the order given and no sequence: the sequencer numbers them
 * once committed (sequencer.ts), so writers of one tenant never wait for each other here.
 */
function outboxInsert(first: number): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO outbox (tenant_id, id, type, subject, source, time, time_ms, data)
     SELECT $1, u.id, u.type, u.subject, u.source, u.time, u.time_ms, u.data
     FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::bigint[], ${p(6)}::text[])
       WITH ORDINALITY AS u(id, type, subject, source, time, time_ms, data, ord) ORDER BY u.ord`;
}

function outboxArrays(events: readonly NewEvent[]): unknown[] {
  return [
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.subject),
    events.map((e) => e.source),
    events.map((e) => e.time),
    events.map((e) => ms(e.time)),
    events.map((e) => JSON.stringify(e.data)),
  ];
}

const APPEND_EVENTS = outboxInsert(2);

/** Inside the caller's transaction, with the change the events describe. */
async function appendEvents<O>(run: Run, tenantId: string, build: EventBuilder<O> | undefined, outcome: O): Promise<void> {
  if (!build) return;
  const events: readonly NewEvent[] = build(outcome);
  if (events.length === 0) return;
  await run(APPEND_EVENTS, [tenantId, ...outboxArrays(events)]);
}

/**
 * A resource, its values index rows and (with events) its outbox rows in ONE statement: a create
 * without members is a single round trip in autocommit, where BEGIN, three INSERTs and COMMIT
 * were five. Parameters: $1 tenant, $2–$10 the resource, $11–$14 the values index arrays, then
 * the outbox arrays.
 */
function createStatement(withEvents: boolean): string {
  return `WITH r AS (
       INSERT INTO resources (tenant_id, resource_type, id, doc, password_hash, version, created_ms, modified_ms, name_key, display_name, external_id)
       VALUES ($1, $2, $3, $4::jsonb, $5, 1, $6, $7, $8, $9, $10) RETURNING row_key
     ), v AS (${valuesInsert('r.row_key', '$1', 11, 'r, ')})${withEvents ? `, o AS (${outboxInsert(15)})` : ''}
     SELECT row_key FROM r`;
}

/** The INSERT of values index rows; the four arrays start at $first. */
function valuesInsert(rowKey: string, tenant: string, first: number, from = ''): string {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO resource_values (resource_row, attr, idx, tenant_id, value, type)
       SELECT ${rowKey}, u.attr, u.idx, ${tenant}, u.value, u.type
       FROM ${from}unnest(${p(0)}::text[], ${p(1)}::int[], ${p(2)}::text[], ${p(3)}::text[]) AS u(attr, idx, value, type)`;
}

function valueArrays(rows: readonly ValueRow[]): unknown[] {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return [rows.map((r) => r.attr), rows.map((r) => r.idx), rows.map((r) => text(r.value)), rows.map((r) => text(r.type))];
}

/** A create without members or unique values: its resource, values and events are one statement. */
function isOneStatement(command: CreateCommand): boolean {
  return (command.members ?? []).length === 0 && (command.uniqueValues ?? []).length === 0;
}

const CREATE = createStatement(false);
const CREATE_WITH_EVENTS = createStatement(true);

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
  return isUnavailable(error) ? new StoreUnavailableError(undefined, undefined, error) : error;
}

function translateUnique(error: unknown, resourceType: ResourceTypeName, id: string, doc: Readonly<Record<string, unknown>>): unknown {
  if (sqlState(error) !== '23505') return error;
  return resourceConflict((error as { constraint?: string }).constraint === 'resources_name', resourceType, id, doc);
}
