import type { Sql } from '../sql/fragment.ts';
import { type Plan, runPlan } from '../sql/run.ts';
import type { SqliteDatabase } from './connection.ts';

interface Pending {
  readonly plan: () => Plan<unknown>;
  /** The plan sets savepoints of its own: it commits in a transaction of its own (runAlone). */
  readonly alone: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly value: unknown } | { readonly error: unknown };

/**
 * Group commit (issue 20, docs/store.md "Group commit"): the write transactions asked for while
 * the event loop is busy run together, at the end of the loop's turn, in one SQLite transaction
 * (BEGIN IMMEDIATE … COMMIT), each in a savepoint of its own. A write that fails is rolled back
 * to its savepoint alone and its caller gets its error; the others commit together, and every
 * caller is answered only once that COMMIT has returned, so no write is acknowledged before it
 * is as durable as a transaction of its own would have been. What is shared is the commit: one
 * write of the pages several writes touched (the outbox and its counter, the ends of the
 * indexes), one WAL commit record and, with synchronous=FULL, one sync.
 *
 * The batch runs synchronously, as a lone transaction did: no read of this process comes in
 * between, and an outbox row still commits with its write or not at all.
 */
export class GroupCommit {
  #queue: Pending[] = [];
  readonly #db: SqliteDatabase;
  /** One write, inside the batch's transaction: better-sqlite3 makes a nested transaction a savepoint. */
  readonly #one: (pending: Pending) => unknown;
  readonly #batch: (batch: readonly Pending[]) => Outcome[];
  /** One write alone in its turn: a transaction of its own (runAlone). */
  readonly #alone: (pending: Pending) => unknown;

  /** Called before a batch begins: the store ends the read transaction of its turn (store.ts, #beginReads). */
  readonly #beforeBatch: () => void;

  constructor(db: SqliteDatabase, exec: (query: Sql) => unknown[], beforeBatch: () => void = () => undefined) {
    this.#db = db;
    this.#beforeBatch = beforeBatch;
    const write = (pending: Pending) => runPlan(pending.plan(), exec);
    this.#one = db.transaction(write);
    this.#batch = db.transaction((batch: readonly Pending[]) => batch.map((pending) => this.#attempt(pending))).immediate;
    this.#alone = db.transaction(write).immediate;
  }

  /**
   * `plan` in the next batch; settles once the batch has committed (or failed as a whole).
   * `ownSavepoints`: the plan sets savepoints of its own (a Bulk's creates), so it commits in a
   * transaction of its own at its place in the queue, never in a savepoint of the batch (see
   * runAlone: nested in one, its savepoints would grow the sub-journal; a Bulk of 1,000 creates
   * sharing its turns with the request log's batches took 172-193 ms of CPU, alone 149-158).
   */
  run<T>(plan: () => Plan<T>, ownSavepoints = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { plan, alone: ownSavepoints, resolve: resolve as (value: unknown) => void, reject };
      if (this.#queue.push(pending) === 1) setImmediate(this.flush);
    });
  }

  /**
   * Commits what is queued now (the end of a turn, and before the connection closes), in queue order,
   * after `beforeBatch` (even with nothing queued).
   */
  readonly flush = (): void => {
    this.#beforeBatch();
    const queued = this.#queue;
    this.#queue = [];
    let shared: Pending[] = [];
    for (const pending of queued) {
      if (!pending.alone) {
        shared.push(pending);
        continue;
      }
      this.#commit(shared);
      shared = [];
      this.#runAlone(pending);
    }
    this.#commit(shared);
  };

  /** One transaction for `batch`, each write in a savepoint of its own; a lone write in none. */
  #commit(batch: readonly Pending[]): void {
    if (batch.length === 0) return;
    if (batch.length === 1) return this.#runAlone(batch[0]!);
    let outcomes: Outcome[];
    try {
      outcomes = this.#batch(batch);
    } catch (error) {
      // Nothing of the batch committed (BEGIN, COMMIT or a lost transaction failed): all fail.
      for (const pending of batch) pending.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      if ('error' in outcome) batch[i]!.reject(outcome.error);
      else batch[i]!.resolve(outcome.value);
    });
  }

  /**
   * A write alone in its turn needs no savepoint: its failure rolls back only itself. Savepoints
   * nested in the batch's would also keep SQLite's sub-journal from being emptied until the
   * batch ends (it is truncated when the outermost savepoint is released), so that a Bulk's
   * thousand creates, each in a savepoint of its own, copied every page they touched into one
   * growing journal: 1.6× the CPU of the same Bulk without the enclosing savepoint.
   */
  #runAlone(pending: Pending): void {
    let value: unknown;
    try {
      value = this.#alone(pending);
    } catch (error) {
      pending.reject(error);
      return;
    }
    pending.resolve(value);
  }

  #attempt(pending: Pending): Outcome {
    try {
      return { value: this.#one(pending) };
    } catch (error) {
      // Some errors (SQLITE_FULL, SQLITE_IOERR, …) roll the whole transaction back, not only the
      // savepoint: the writes before this one are gone too, so the batch fails as a whole.
      if (!this.#db.inTransaction) throw error;
      return { error };
    }
  }
}
