import type { Pool } from 'pg';

/**
 * Tables whose statistics decide the plans of every request: a prepared statement keeps the
 * generic plan it was given when these were small, until their statistics change.
 */
const TABLES = ['resources', 'resource_values', 'memberships', 'outbox'];

/** As autovacuum's autovacuum_analyze_threshold: a table this small plans the same whatever it holds. */
const BASE_THRESHOLD = 50;
/**
 * A table is analyzed again once its rows doubled or halved since the last ANALYZE, not at
 * autovacuum's 10%. Between analyses the planner already scales the counted rows by the table's
 * current size in pages, so estimates follow growth; what goes wrong is a plan made from an
 * empty table's statistics. At 10% the outbox (a row per write, 1.3 KB each, up to 30,000
 * sampled) was analyzed every 3,000 PATCHes at 30,000 events, 175 ms each: about 50 µs of the
 * database's CPU a PATCH, and every session's write statement planned again after each. Doubling
 * bounds what the keeper costs to one ANALYZE per table size. Autovacuum, where it runs, still
 * refreshes the distributions at its own 10%.
 */
const GROWTH_FACTOR = 2;

/** Any fixed 64-bit key, the same in every process: one instance at a time gathers statistics. */
const ANALYZE_LOCK_KEY = 0x5c1d_0020;

/**
 * Statistics gathered by scimd itself (docs/postgresql.md, "Statistics"): PostgreSQL plans a
 * prepared statement for the values once it has run five times and then keeps a generic plan,
 * built from the statistics of that moment. A database grown from empty through the API, with
 * autovacuum off or not yet come round, kept the plans of its empty tables: a lookup by id walked
 * every user of the tenant (an index on (tenant_id, resource_type) with `id` as a filter, which
 * ties with the right index when a table has no rows). ANALYZE replaces the statistics and makes
 * every session re-plan.
 *
 * After writes, at most once per `intervalMs`, the keeper compares how many rows each table has
 * (pg_stat_user_tables, kept whether autovacuum runs or not) with how many its last ANALYZE
 * counted, and analyzes those that doubled or halved (GROWTH_FACTOR; and by more than 50 rows),
 * under an advisory lock so that several instances do not analyze the same tables at once. It
 * runs off the request path; failures are ignored (the next writes try again). Rows changed in
 * place do not count, as they do for autovacuum: under a stream of PATCHes that rule analyzed
 * `resources` every two seconds at 20,000 users (150 ms of the database's CPU each, and every
 * session's plans made again after it), for statistics that had not moved: what makes a plan
 * go wrong is a table's size, which a PATCH does not change.
 */
export class StatisticsKeeper {
  readonly #pool: Pool;
  readonly #intervalMs: number;
  #lastCheck = 0;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(pool: Pool, intervalMs = 1000) {
    this.#pool = pool;
    this.#intervalMs = intervalMs;
  }

  /** Called after each committed write: checks the tables when the interval has passed. */
  written(): void {
    if (this.#closed || this.#running || Date.now() - this.#lastCheck < this.#intervalMs) return;
    this.#lastCheck = Date.now();
    // On the next turn: 'release' fires before the released client is idle again, and a check
    // started at once would open a second connection instead of reusing it.
    this.#running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.check())
      .then(
        () => {
          this.#running = undefined;
        },
        () => {
          this.#running = undefined;
        },
      );
  }

  /** The tables past the threshold, analyzed; returns their names (for tests and tooling). */
  async check(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ name: string; live: string; tuples: number }>(
      `SELECT t AS name, s.n_live_tup AS live, c.reltuples AS tuples
         FROM unnest($1::text[]) AS t
         JOIN pg_class c ON c.oid = to_regclass(t)
         JOIN pg_stat_user_tables s ON s.relid = c.oid`,
      [TABLES],
    );
    // reltuples (what the last ANALYZE counted) is -1 for a table never analyzed.
    const stale = rows
      .filter((r) => {
        const analyzed = Math.max(r.tuples, 0);
        const live = Number(r.live);
        const moved = live >= analyzed * GROWTH_FACTOR || live * GROWTH_FACTOR <= analyzed;
        return moved && Math.abs(live - analyzed) > BASE_THRESHOLD;
      })
      .map((r) => r.name);
    if (stale.length === 0 || this.#closed) return [];
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // ANALYZE of a large table may take longer than a request is allowed to.
      await client.query('SET LOCAL statement_timeout = 0');
      const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ANALYZE_LOCK_KEY]);
      if (locked[0]?.ok) await client.query(`ANALYZE ${stale.join(', ')}`);
      await client.query('COMMIT');
      return locked[0]?.ok ? stale : [];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Waits for a check in progress; no more are started. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
