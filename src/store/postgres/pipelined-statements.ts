import pg, { type ClientConfig, type QueryConfig, type QueryResultRow } from 'pg';
import { coalesceWrites } from './coalesced-writes.ts';
import { ask } from './prepared.ts';

interface Connection {
  readonly client: Promise<pg.Client>;
  /** When each statement in flight was sent, oldest first: a pipeline answers in order. */
  readonly started: number[];
}

/** A connection whose oldest statement has run this long takes no more statements while another is free. */
const STALLED_MS = 25;

/**
 * Statements that stand alone (the store's plain reads: a lookup, a GET, a page of a list) on a
 * few connections in pg's pipeline mode: each request's statement is written as soon as it comes,
 * behind those still running, each with its own Sync, so one failing does not touch the others.
 * Taken from the pool instead, every read wakes a backend of its own and waits for its whole
 * round trip: with three instances on two cores that cost more than the statements (PostgreSQL
 * CPU per lookup 150 → 74 µs, scimd's 197 → 137 µs, docs/performance.md). Transactions keep
 * pooled connections.
 *
 * The store keeps two sets (connection.ts): one for reads, one for writes that are a single
 * statement in autocommit (a create's and a user update's fast paths), so that a write's commit,
 * which waits for its WAL flush, never holds up the reads queued behind it.
 *
 * A statement goes to the connection with the fewest statements in flight, passing over any whose
 * oldest statement has run for more than STALLED_MS (a group of 100,000 members, a filter that
 * scans, a write waiting for a row lock): only statements sent in the first milliseconds of a slow
 * one wait behind it. When every connection is stalled, `query` answers undefined and the caller
 * takes its pool. A connection that fails is dropped: its statements in flight get the error (503,
 * like the pool's), and the next statement opens a new one.
 */
export class PipelinedStatements {
  readonly #config: ClientConfig;
  readonly #connections: Array<Connection | undefined>;
  #closed = false;

  constructor(config: ClientConfig, connections: number) {
    this.#config = config;
    this.#connections = new Array<Connection | undefined>(connections).fill(undefined);
  }

  /** The rows of `query`, or undefined at once when every connection is stalled (see above). */
  query<R extends QueryResultRow>(query: QueryConfig): Promise<R[]> | undefined {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    const connection = this.#choose(Date.now());
    return connection && this.#send<R>(connection, query);
  }

  async #send<R extends QueryResultRow>(connection: Connection, query: QueryConfig): Promise<R[]> {
    connection.started.push(Date.now());
    try {
      const client = await connection.client;
      return (await ask<R>(client, query)).rows;
    } finally {
      connection.started.shift();
    }
  }

  /** Connections open and statements in flight on them (the metrics' pipelined-read state). */
  get state(): { readonly connections: number; readonly inFlight: number } {
    let connections = 0;
    let inFlight = 0;
    for (const c of this.#connections) {
      if (c === undefined) continue;
      connections++;
      inFlight += c.started.length;
    }
    return { connections, inFlight };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#connections.filter((c): c is Connection => c !== undefined);
    this.#connections.fill(undefined);
    await Promise.all(open.map(async (c) => (await c.client.catch(() => undefined))?.end().catch(() => undefined)));
  }

  #choose(now: number): Connection | undefined {
    let best: Connection | undefined;
    for (let i = 0; i < this.#connections.length; i++) {
      const connection = this.#connections[i] ?? this.#open(i);
      const oldest = connection.started[0];
      if (oldest !== undefined && now - oldest > STALLED_MS) continue;
      if (best === undefined || connection.started.length < best.started.length) best = connection;
    }
    return best;
  }

  #open(slot: number): Connection {
    const client = new pg.Client({ ...this.#config, pipeline: true } as ClientConfig);
    const drop = () => {
      if (this.#connections[slot] === connection) this.#connections[slot] = undefined;
    };
    // Without a listener an 'error' would crash the process; the statements in flight get it too.
    client.on('error', drop);
    client.on('end', drop);
    const connection: Connection = {
      client: client.connect().then(
        () => {
          coalesceWrites(client);
          return client;
        },
        (error: unknown) => {
          drop();
          throw error;
        },
      ),
      started: [],
    };
    // Only the reads that wait on it should see a failed connect, not the process as unhandled.
    connection.client.catch(() => undefined);
    this.#connections[slot] = connection;
    return connection;
  }
}
