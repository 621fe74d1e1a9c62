import pg, { type ClientConfig } from 'pg';
import { isUnresponsive, StoreUnavailableError } from './errors.ts';

/** Pause between two probes of a database that does not answer. */
const PROBE_INTERVAL_MS = 1000;

/**
 * Fails requests at once while PostgreSQL does not answer. A database behind a network that drops
 * packets is not refused, it is silent: each request would wait out its own timeouts (a
 * connection's connect_timeout, a statement's statement_timeout plus a second) and hold a pooled
 * connection meanwhile. The first failure that shows the silence (a client-side timeout, an
 * unreachable host) opens the guard: from then on every statement fails with 503 before it
 * touches the pool, and a probe (a connection of its own: SELECT 1) asks every second whether the
 * database answers again; the first that does closes the guard. A refused connection or a
 * terminated backend does not open it: those fail fast by themselves, and a restarted database
 * is used as soon as it accepts connections.
 */
export class OutageGuard {
  readonly #config: ClientConfig;
  #down = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;

  /** `config` connects the probes: the store's, its connect timeout bounding each probe. */
  constructor(config: ClientConfig) {
    const timeout = config.connectionTimeoutMillis ?? 2000;
    this.#config = { ...config, query_timeout: timeout, statement_timeout: timeout, application_name: 'scimd-probe' };
  }

  /** Whether the database is known not to answer. */
  get down(): boolean {
    return this.#down;
  }

  /** Throws StoreUnavailableError at once while the database is known not to answer. */
  check(): void {
    if (this.#down) throw new StoreUnavailableError();
  }

  /** Every failure of a statement or a connection comes here; only silence opens the guard. */
  observe(error: unknown): void {
    if (this.#down || this.#closed || !isUnresponsive(error)) return;
    this.#down = true;
    this.#probeIn(0);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #probeIn(ms: number): void {
    this.#timer = setTimeout(() => void this.#probe(), ms);
    // A probe never keeps a process alive that has nothing else to do.
    this.#timer.unref();
  }

  async #probe(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      this.#down = false;
    } catch {
      if (!this.#closed) this.#probeIn(PROBE_INTERVAL_MS);
    } finally {
      // end() destroys the socket of a query that never answered.
      client.end().catch(() => undefined);
    }
  }
}
