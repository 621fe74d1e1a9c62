import pg, { type ClientConfig, type QueryConfig, type QueryResultRow } from 'pg';

interface Connection {
  readonly client: Promise<pg.Client>;
  inFlight: number;
}

/**
 * The store's plain reads (a lookup, a GET, a page of a list) on a few connections in pg's
 * pipeline mode: each request's statement is written as soon as it comes, behind those still
 * running, each with its own Sync, so one failing does not touch the others. Taken from the pool
 * instead, every read wakes a backend of its own and waits for its whole round trip: with three
 * instances on two cores that cost more than the statements (PostgreSQL CPU per lookup 150 → 74
 * µs, scimd's 197 → 137 µs, docs/performance.md). Transactions keep pooled connections.
 *
 * A read goes to the connection with the fewest statements in flight, so a slow one (a group of
 * 100,000 members) holds up as little as possible. A connection that fails is dropped: its
 * statements in flight get the error (503, like the pool's), and the next read opens a new one.
 */
export class PipelinedReads {
  readonly #config: ClientConfig;
  readonly #connections: Array<Connection | undefined>;
  #closed = false;

  constructor(config: ClientConfig, connections: number) {
    this.#config = config;
    this.#connections = new Array<Connection | undefined>(connections).fill(undefined);
  }

  async query<R extends QueryResultRow>(query: QueryConfig): Promise<R[]> {
    if (this.#closed) throw new Error('the store is closed');
    const connection = this.#leastBusy();
    connection.inFlight++;
    try {
      const client = await connection.client;
      return (await client.query<R>(query)).rows;
    } finally {
      connection.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const open = this.#connections.filter((c): c is Connection => c !== undefined);
    this.#connections.fill(undefined);
    await Promise.all(open.map(async (c) => (await c.client.catch(() => undefined))?.end().catch(() => undefined)));
  }

  #leastBusy(): Connection {
    let best: Connection | undefined;
    for (let i = 0; i < this.#connections.length; i++) {
      const connection = this.#connections[i] ?? this.#open(i);
      if (best === undefined || connection.inFlight < best.inFlight) best = connection;
    }
    return best!;
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
        () => client,
        (error: unknown) => {
          drop();
          throw error;
        },
      ),
      inFlight: 0,
    };
    // Only the reads that wait on it should see a failed connect, not the process as unhandled.
    connection.client.catch(() => undefined);
    this.#connections[slot] = connection;
    return connection;
  }
}
