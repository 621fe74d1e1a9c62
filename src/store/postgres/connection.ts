import type { Pool, PoolClient, PoolConfig, QueryArrayConfig, QueryConfig, QueryResultRow } from 'pg';
import pg from 'pg';
import type { PoolState } from '../ports/store.ts';
import type { Sql } from '../sql/fragment.ts';
import { coalesceWrites } from './coalesced-writes.ts';
import { isUnavailable, StoreUnavailableError, sqlState } from './errors.ts';
import { runMigrations } from './migrations.ts';
import { OutageGuard } from './outage.ts';
import { PipelinedStatements } from './pipelined-statements.ts';
import { toPostgres } from './placeholders.ts';
import { ask, prepared } from './prepared.ts';
import type { Run } from './run.ts';
import { StatisticsKeeper } from './statistics.ts';

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
  /** Pipelined connections for one-statement writes (URL `?write_connections=`), default 2; 0 = they use the pool. */
  readonly writeConnections?: number;
  /** How often at most the tables' change counts are checked after writes (statistics.ts), default 1 s. */
  readonly statisticsIntervalMs?: number;
}

/** int8 (row keys, epoch ms, count(*)) as JavaScript numbers: every value is below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A statement text (numbered placeholders) or a fragment (`?` placeholders) as a prepared query. */
function statement(text: string | Sql, values?: readonly unknown[]) {
  const q = typeof text === 'string' ? { text, values: values ? [...values] : [] } : toPostgres(text);
  return prepared(q.text, q.values);
}

/** Deadlock and serialization failures: the transaction did nothing and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;
/** docs/postgresql.md, "Timeouts": the defaults bound how long a request can wait on the database. */
const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/** How much longer than statement_timeout the client waits before it takes the database for gone. */
const ANSWER_MARGIN_MS = 1000;

/** Reads `pool`, `statement_timeout`, `connect_timeout`, `read_connections` and `write_connections` from a postgres:// URL. */
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
  const writeConnections = take('write_connections', true);
  return {
    connectionString: parsed.toString(),
    ...(poolSize !== undefined ? { poolSize: Math.floor(poolSize) } : {}),
    ...(readConnections !== undefined ? { readConnections: Math.floor(readConnections) } : {}),
    ...(writeConnections !== undefined ? { writeConnections: Math.floor(writeConnections) } : {}),
    ...(statementTimeoutMs !== undefined ? { statementTimeoutMs } : {}),
    ...(connectTimeout !== undefined ? { connectTimeoutMs: connectTimeout * 1000 } : {}),
  };
}

/**
 * The store's connections to PostgreSQL: a pool for transactions, pipelined connections for plain
 * reads and for writes of one statement (pipelined-statements.ts). Connection failures surface as
 * StoreUnavailableError (503 + Retry-After), at once while the database is known not to answer
 * (outage.ts); the pool reconnects by itself when it is back.
 */
export class PostgresConnection {
  readonly pool: Pool;
  readonly #reads: PipelinedStatements | undefined;
  readonly #writes: PipelinedStatements | undefined;
  readonly #config: PoolConfig;
  readonly #guard: OutageGuard;
  readonly #statistics: StatisticsKeeper;
  #closed = false;

  constructor(options: PostgresStoreOptions) {
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
    // Pooled connections pipeline (pg's pipeline mode: each statement with its own Sync, written
    // as soon as it is asked for): a transaction writes its BEGIN and its first statement in one
    // go (#tx). Every other use of a pooled client awaits each statement, as before.
    Object.assign(config, { pipeline: true });
    this.#guard = new OutageGuard(config);
    this.pool = new pg.Pool(config);
    const readConnections = options.readConnections ?? 2;
    this.#reads = readConnections > 0 ? new PipelinedStatements(config, readConnections) : undefined;
    const writeConnections = options.writeConnections ?? 2;
    this.#writes = writeConnections > 0 ? new PipelinedStatements(config, writeConnections) : undefined;
    // An idle client losing its connection (database restart) must not crash the process; the
    // pool drops it and the next query opens a new one.
    this.pool.on('error', () => undefined);
    // Nor a checked-out one (#tx, migrate): pg-pool takes its own 'error' listener off a client
    // while it is lent out, so a backend terminated or a socket reset mid-transaction was an
    // unhandled 'error' event that ended the process. The statement in flight (or the next one)
    // fails with the connection error instead: 503 through translate, and #tx releases the
    // client as broken, so the pool opens a new connection for the next request.
    this.pool.on('connect', (client) => {
      client.on('error', () => undefined);
      coalesceWrites(client);
    });
    // Every write goes through the pool: after them, statistics are gathered when tables have
    // changed enough (statistics.ts), so that plans do not stay those of empty tables.
    this.#statistics = new StatisticsKeeper(this.pool, options.statisticsIntervalMs);
    this.pool.on('release', () => this.#statistics.written());
    // Statements are prepared (prepared.ts) and PostgreSQL's default plan cache applies: after
    // five executions a statement keeps a generic plan when it costs no more than planning for the
    // values. Planning each execution anew (force_custom_plan) cost 0.3 ms of server CPU per
    // userName lookup, seven times the lookup itself; the generic plans of the lookup shapes probe
    // the same unique and value indexes, with or without statistics.
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
      throw this.failed(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  poolState(): PoolState {
    const pool = this.pool;
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      ...(this.#reads || this.#writes ? { pipelined: pipelinedState(this.#reads, this.#writes) } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#guard.close();
    await this.#statistics.close();
    await this.#reads?.close();
    await this.#writes?.close();
    await this.pool.end();
  }

  /** A failed statement or connection, as the caller should see it; silence opens the guard. */
  failed(error: unknown): unknown {
    this.#guard.observe(error);
    return translate(error);
  }

  async #connect(): Promise<PoolClient> {
    this.#guard.check();
    try {
      return await this.pool.connect();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /**
   * One statement on a pooled connection, in autocommit. A statement the database refused (a
   * unique violation: a create of a userName that exists, which identity providers send often)
   * leaves its connection as good as before, and it goes back to the pool; pool.query discarded
   * the connection on any error, and the next request paid for a new one (its startup, every
   * statement prepared again). A connection that failed is discarded.
   */
  async #pooled<R>(query: QueryConfig | QueryArrayConfig): Promise<R[]> {
    const client = await this.#connect();
    try {
      const { rows } = 'rowMode' in query ? await client.query(query) : await ask(client, query);
      client.release();
      return rows as R[];
    } catch (error) {
      client.release(error instanceof pg.DatabaseError && !isUnavailable(error) ? undefined : (error as Error));
      throw this.failed(error);
    }
  }

  /** One statement on any pooled connection (autocommit). */
  readonly run: Run = (text, values) => this.#pooled(statement(text, values));

  /** A plain read (get, list): on a pipelined connection (pipelined-statements.ts), else from the pool. */
  readonly read: Run = (text, values) => this.#pipelined(this.#reads, statement(text, values));

  /**
   * A write that is one statement in autocommit (the fast paths of a create and of a user's
   * update, store.ts): on a pipelined connection of the writes' own. From the pool, each took a
   * connection and woke its backend with a system call of its own; pipelined, the writes asked
   * for in one turn leave together, each with its own Sync, and each still commits on its own.
   * 16 clients PATCHing 10,000 users: 2,203 -> 2,582 PATCHes a second (docs/performance.md).
   */
  readonly write: Run = async (text, values) => {
    try {
      return await this.#pipelined(this.#writes, statement(text, values));
    } finally {
      // The pool's release counts its writes (the constructor); a pipelined write has no release.
      // One that fell back to the pool is counted twice, which only makes the next check sooner.
      this.#statistics.written();
    }
  };

  async #pipelined<R extends QueryResultRow>(connections: PipelinedStatements | undefined, query: QueryConfig): Promise<R[]> {
    this.#guard.check();
    const pipelined = connections?.query<R>(query);
    if (!pipelined) return this.#pooled<R>(query);
    try {
      return await pipelined;
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** One statement on any pooled connection, its rows as arrays of column values. */
  readonly arrays = (query: Sql): Promise<unknown[][]> => this.#pooled<unknown[]>({ ...statement(query), rowMode: 'array' });

  /**
   * A read-only transaction that sees one snapshot (REPEATABLE READ) on a pooled connection of its
   * own, held until `end`: for reads that span several statements (a big group's member chunks).
   */
  async snapshot(): Promise<{ run: Run; arrays: (query: Sql) => Promise<unknown[][]>; end(): Promise<void> }> {
    const client = await this.#connect();
    let broken = false;
    const fail = (error: unknown) => {
      broken = isUnavailable(error);
      return this.failed(error);
    };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (error) {
      client.release(true);
      throw this.failed(error);
    }
    return {
      run: async <R extends QueryResultRow>(text: string | Sql, values?: readonly unknown[]) =>
        (await ask<R>(client, statement(text, values)).catch((e: unknown) => Promise.reject(fail(e)))).rows,
      arrays: async (query) =>
        (await client.query<unknown[]>({ ...statement(query), rowMode: 'array' }).catch((e: unknown) => Promise.reject(fail(e)))).rows,
      end: async () => {
        if (!broken) await client.query('COMMIT').catch(() => (broken = true));
        client.release(broken);
      },
    };
  }

  /** `fn` in one transaction on one client; retried whole on deadlock or serialization failure. */
  async tx<T>(fn: (run: Run) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#connect();
      let broken = false;
      // BEGIN is not awaited on its own: the first statement goes out right behind it, and a
      // no-op PATCH (BEGIN, the locked read, COMMIT) costs two round trips, not three. Each
      // statement's answer is taken only once BEGIN's has come (they come in order), so no
      // statement's result is used had BEGIN failed.
      const begun = client.query('BEGIN');
      begun.catch(() => undefined);
      // Statements whose answers the plan does not read (Sql.unanswered): awaited at COMMIT,
      // which goes out right behind the last of them, so a write's outbox INSERT and its COMMIT
      // cost one round trip. Had one failed, the transaction is aborted and COMMIT rolls it back.
      const unread: Promise<unknown>[] = [];
      const run: Run = async <R extends QueryResultRow>(text: string | Sql, values?: readonly unknown[]) => {
        const answer = ask<R>(client, statement(text, values));
        answer.catch(() => undefined);
        if (typeof text !== 'string' && text.unanswered) {
          unread.push(answer);
          return [];
        }
        await begun;
        return (await answer).rows;
      };
      try {
        const result = await fn(run);
        const committed = client.query('COMMIT');
        committed.catch(() => undefined);
        await begun;
        for (const answer of unread) await answer;
        await committed;
        return result;
      } catch (error) {
        // A statement that failed unread leaves the ones after it failing for that reason alone.
        const cause = await firstFailure(unread);
        // A connection that failed (or an answer that never came) is discarded, which rolls the
        // transaction back; a ROLLBACK on it would only wait out another timeout.
        const failure = cause ?? error;
        broken = isUnavailable(failure);
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        const state = sqlState(failure);
        if (!broken && state !== undefined && RETRYABLE.has(state) && attempt < MAX_ATTEMPTS) continue;
        throw this.failed(failure);
      } finally {
        client.release(broken);
      }
    }
  }
}

/** The error of the first of `answers` that failed, once all have settled. */
async function firstFailure(answers: readonly Promise<unknown>[]): Promise<unknown> {
  for (const outcome of await Promise.allSettled(answers)) if (outcome.status === 'rejected') return outcome.reason;
  return undefined;
}

function translate(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  return isUnavailable(error) ? new StoreUnavailableError(undefined, undefined, error) : error;
}

/** Both sets of pipelined connections as the metrics show them: together. */
function pipelinedState(...sets: (PipelinedStatements | undefined)[]): { connections: number; inFlight: number } {
  let connections = 0;
  let inFlight = 0;
  for (const set of sets) {
    connections += set?.state.connections ?? 0;
    inFlight += set?.state.inFlight ?? 0;
  }
  return { connections, inFlight };
}
