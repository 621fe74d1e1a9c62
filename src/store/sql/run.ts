import type { Sql } from './fragment.ts';

/**
 * How the query sets of src/store/sql/ reach a database. A query set is written once and runs on
 * either store: single statements through `run`, and anything that needs several statements in
 * one transaction as a plan, a generator that yields each statement and receives its rows. The
 * plan is what lets one algorithm run inside better-sqlite3's transactions, which must be
 * synchronous (SQLite runs a plan to the end without awaiting), and on PostgreSQL, whose client
 * answers asynchronously.
 */

/** Runs one statement and returns its rows ([] for a statement without RETURNING). */
export type RunSql = <R>(query: Sql) => Promise<R[]>;

/** Which constraint a driver error violated, in the driver's own words. */
export type ConstraintOf = (error: unknown) => 'unique' | 'foreignKey' | undefined;

/** A write or read algorithm: yields statements, receives their rows, returns its answer. */
export type Plan<T> = Generator<Sql, T, unknown[]>;

/** Inside a plan: `const found = yield* rows<Row>(sql`…`)`. */
export function* rows<R>(query: Sql): Generator<Sql, R[], unknown[]> {
  return (yield query) as R[];
}

/** A statement's failure is thrown into the plan at its `yield`, so a plan catches what it expects. */
export function runPlan<T>(plan: Plan<T>, exec: (query: Sql) => unknown[]): T {
  let step = plan.next();
  while (!step.done) {
    let result: unknown[];
    try {
      result = exec(step.value);
    } catch (error) {
      step = plan.throw(error);
      continue;
    }
    step = plan.next(result);
  }
  return step.value;
}

export async function runPlanAsync<T>(plan: Plan<T>, exec: (query: Sql) => Promise<unknown[]>): Promise<T> {
  let step = plan.next();
  while (!step.done) {
    let result: unknown[];
    try {
      result = await exec(step.value);
    } catch (error) {
      step = plan.throw(error);
      continue;
    }
    step = plan.next(result);
  }
  return step.value;
}

export interface TransactOptions {
  /**
   * The plan sets savepoints of its own (createMany): SQLite commits it in a transaction of its
   * own rather than in a savepoint of a shared one (group-commit.ts says why).
   */
  readonly ownSavepoints?: boolean;
}

/** What a query set needs of its database. */
export interface SqlRunner {
  /** One statement, in autocommit. */
  readonly run: RunSql;
  /**
   * A plan as one write transaction: all of it commits or none. SQLite runs it in a savepoint of a
   * transaction shared with the writes asked for at the same time (sqlite/group-commit.ts) and
   * settles once that commits. `plan` is called again when PostgreSQL retries.
   */
  transact<T>(plan: () => Plan<T>, options?: TransactOptions): Promise<T>;
  /**
   * A plan of statements each in autocommit: SQLite runs it to the end without a pause (no write
   * of this process comes in between), PostgreSQL on the pool.
   */
  each<T>(plan: () => Plan<T>): Promise<T>;
  /** A plan of plain reads that answer a request (a GET, a page): `each`, but on PostgreSQL's pipelined read connections. */
  read<T>(plan: () => Plan<T>): Promise<T>;
  readonly constraintOf: ConstraintOf;
  /** False on PostgreSQL, whose text cannot hold U+0000 (see SqlDialect.textHoldsNul). */
  readonly textHoldsNul: boolean;
}

/** PostgreSQL text cannot hold U+0000: a lookup for such a value finds nothing there. */
export const hasNul = (text: string) => text.includes('\u0000');
