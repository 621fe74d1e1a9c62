/**
 * A broker connection opened on first use and dropped on failure: the relay's next retry opens
 * a fresh one, so a sink recovers when its broker returns without a restart of scimd.
 */
export interface LazyConnection<T> {
  /** The open connection, opening it if there is none. */
  get(): Promise<T>;
  /** Ends the connection if there is one; the next `get` opens a new one. */
  close(): Promise<void>;
}

export function lazyConnection<T>(open: () => Promise<T>, end: (connection: T) => unknown): LazyConnection<T> {
  let connecting: Promise<T> | undefined;
  return {
    get: () => (connecting ??= open()),
    async close() {
      const current = connecting;
      connecting = undefined;
      if (!current) return;
      try {
        await end(await current);
      } catch {
        // Never opened, or already closed: nothing to release.
      }
    },
  };
}
