import type { MemberFormat, MembersRead } from '../ports/resources.ts';
import type { Store } from '../ports/store.ts';
import type { Sql } from '../sql/fragment.ts';
import { type ChunkRow, type GroupReads, MEMBER_CHUNK, memberChunk, readMembers, type SnapshotReads } from '../sql/members.ts';
import { docOf, findRow, type ResourceRow } from '../sql/resources.ts';
import { hydrate, ms } from '../sql/rows.ts';
import { runPlan, type SqlRunner } from '../sql/run.ts';
import { SqlStore } from '../sql/store.ts';
import { type Checkpointer, startCheckpointer } from './checkpointer.ts';
import { openConnection, type SqliteDatabase } from './connection.ts';
import { sqliteDialect, sqliteWrites } from './dialect.ts';
import { GroupCommit } from './group-commit.ts';
import { runMigrations } from './migrations.ts';
import { SnapshotConnections } from './snapshots.ts';
import { StatementCache } from './statement-cache.ts';

/**
 * The embedded store on better-sqlite3. The driver is synchronous, so each method runs to
 * completion on the event loop: one connection, no pool, and a write transaction never
 * interleaves with another request of this process. Writes use BEGIN IMMEDIATE so that a second
 * process (the CLI) waits on busy_timeout instead of failing to upgrade a read lock.
 */
export class SqliteStore extends SqlStore implements Store {
  readonly capabilities = { dialect: 'sqlite' } as const;
  readonly #db: SqliteDatabase;
  readonly #statements: StatementCache;
  readonly #group: GroupCommit;

  readonly #checkpointer: Checkpointer | undefined;
  /** Connections for reads that must see one version across statements; none for `:memory:`. */
  readonly #snapshots: SnapshotConnections | undefined;

  constructor(db: SqliteDatabase, checkpointer?: Checkpointer) {
    super();
    this.#db = db;
    this.#checkpointer = checkpointer;
    this.#snapshots = db.memory ? undefined : new SnapshotConnections(db.name);
    this.#statements = new StatementCache(db);
    this.#group = new GroupCommit(db, this.#exec, this.#endReads);
    this.share(this.#runner, sqliteWrites);
  }

  /** A file gets its WAL checkpointed on a thread of its own (checkpointer.ts); memory has none. */
  static open(filename: string): SqliteStore {
    const inMemory = filename === ':memory:';
    return new SqliteStore(
      openConnection(filename, { backgroundCheckpoints: !inMemory }),
      inMemory ? undefined : startCheckpointer(filename),
    );
  }

  /** The underlying connection, for SQLite-specific tests and tooling. */
  get database(): SqliteDatabase {
    return this.#db;
  }

  async migrate(): Promise<readonly number[]> {
    this.#endReads();
    return runMigrations(this.#db);
  }

  async ping(): Promise<void> {
    this.#s('SELECT 1').get();
  }

  async close(): Promise<void> {
    // The flush ends the reads' transaction of this turn before it commits what is queued.
    if (this.#db.open) this.#group.flush();
    await this.#checkpointer?.stop();
    this.#snapshots?.close();
    if (this.#db.open) this.#db.close();
  }

  async readMembers(tenantId: string, id: string, format: MemberFormat): Promise<MembersRead | undefined> {
    const find = (statements: StatementCache) =>
      runPlan(findRow(sqliteWrites, tenantId, 'Group', id), (query) => statements.dynamic(query.sql).all(query.params));
    const chunk = (statements: StatementCache, row: ResourceRow, afterSeq: number) => {
      const query = memberChunk(sqliteDialect, tenantId, row.row_key, afterSeq, format);
      return statements.fixed(query.sql).raw(true).get(query.params) as ChunkRow;
    };
    const on = (statements: StatementCache): GroupReads<ResourceRow> => ({
      find: async () => find(statements),
      chunk: async (row, afterSeq) => chunk(statements, row, afterSeq),
    });
    const snapshot = async (): Promise<SnapshotReads<ResourceRow>> => {
      if (this.#snapshots) {
        const taken = this.#snapshots.begin();
        return { ...on(taken.statements), end: async () => taken.end() };
      }
      // In memory there is one connection: the whole group is read at once, in one synchronous go.
      const row = find(this.#statements);
      const chunks: ChunkRow[] = [];
      for (let last: ChunkRow | undefined; row && (!last || last[0] === MEMBER_CHUNK); chunks.push(last)) {
        last = chunk(this.#statements, row, last?.[1] ?? 0);
      }
      return { find: async () => row, chunk: async () => chunks.shift() ?? [0, null, null], end: async () => undefined };
    };
    return readMembers(on(this.#statements), snapshot, (row) => hydrate([row], docOf, {}).finish(undefined, undefined)[0]!);
  }

  #s(text: string) {
    return this.#statements.fixed(text);
  }

  #tx<T>(fn: () => T): T {
    this.#endReads();
    return this.#db.transaction(fn).immediate();
  }

  /** The reads of this turn of the event loop are in a transaction of their own (#beginReads). */
  #reading = false;

  /**
   * The plain reads of one turn of the event loop share one read transaction, ended when the turn
   * reaches its check phase or before anything writes. In WAL mode each transaction takes and
   * releases a shared lock on the WAL index with fcntl, two system calls for every read in
   * autocommit: on this project's virtual machines a point read by row key costs 6.2 µs alone and
   * 0.5 µs inside a transaction (strace: 42,108 fcntl for 21,000 such reads), 7 µs of a GET's 80.
   * Under load a turn answers many requests, which then pay the two calls once. A read sees the
   * database as of the first read of its turn; a write commits in a batch of its own after the
   * reads have ended (GroupCommit's beforeBatch) and is answered after that commit, so a read that
   * follows an answered write sees it (docs/store.md, "The reads of one turn share a read
   * transaction").
   */
  #beginReads(): void {
    if (this.#reading || this.#db.inTransaction) return;
    this.#db.exec('BEGIN');
    this.#reading = true;
    setImmediate(this.#endReads);
  }

  readonly #endReads = (): void => {
    if (!this.#reading) return;
    this.#reading = false;
    if (this.#db.inTransaction) this.#db.exec('COMMIT');
  };

  /**
   * One statement of the shared query sets (src/store/sql/): rows for a reader, [] otherwise. The
   * parameters go as one array (better-sqlite3 binds its items in order): a spread call into the
   * native method cost a create ~40 µs over its six statements.
   */
  readonly #exec = (query: Sql): unknown[] => {
    const statement = query.shaped ? this.#statements.fixed(query.sql) : this.#statements.dynamic(query.sql);
    // A statement that writes commits on its own, never in the reads' transaction.
    if (this.#reading && !statement.readonly) this.#endReads();
    if (statement.reader) return statement.all(query.params);
    statement.run(query.params);
    return [];
  };

  /**
   * Plans run to the end inside better-sqlite3's transaction functions, which must be
   * synchronous; write transactions are committed in groups (group-commit.ts).
   */
  readonly #runner: SqlRunner = {
    run: async <R>(query: Sql) => this.#exec(query) as R[],
    transact: (plan, options) => this.#group.run(plan, options?.ownSavepoints === true),
    each: async (plan) => runPlan(plan(), this.#exec),
    read: async (plan) => {
      this.#beginReads();
      return runPlan(plan(), this.#exec);
    },
    constraintOf: sqliteWrites.constraintOf,
    textHoldsNul: true,
  };

  /** An index range per tenant, each up to what every sink has delivered (PostgreSQL's is one statement). */
  async pruneEvents(sinks: readonly string[], before: string): Promise<number> {
    return this.#tx(() => {
      const counters = this.#s('SELECT tenant_id, last_sequence FROM outbox_counters').all() as {
        tenant_id: string;
        last_sequence: number;
      }[];
      const cursor = this.#s('SELECT coalesce(max(delivered_sequence), 0) FROM outbox_delivery WHERE sink = ? AND tenant_id = ?').pluck();
      const remove = this.#s('DELETE FROM outbox WHERE tenant_id = ? AND sequence <= ? AND time_ms < ?');
      let deleted = 0;
      for (const c of counters) {
        const upTo = sinks.reduce((low, sink) => Math.min(low, cursor.get(sink, c.tenant_id) as number), c.last_sequence);
        if (upTo > 0) deleted += remove.run(c.tenant_id, upTo, ms(before)).changes;
      }
      return deleted;
    });
  }
}
