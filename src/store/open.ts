import type { Store } from './ports/store.ts';
import { openConnection } from './sqlite/connection.ts';
import { SqliteStore } from './sqlite/store.ts';

export interface OpenOptions {
  /**
   * A second store of a process on a database its first store already serves, for a worker thread
   * (the request log's): one PostgreSQL connection, and on SQLite no checkpointing thread of its
   * own (the first store's copies back what this one writes too).
   */
  readonly secondary?: boolean;
}

/**
 * Opens the store a database URL names: `sqlite:./data/scimd.db` (the directory is created),
 * `sqlite::memory:` for tests, or `postgres://user:pass@host:5432/db?pool=10` (also
 * `postgresql://`; see src/store/postgres/connection.ts for `pool`, `statement_timeout`,
 * `connect_timeout`). The caller runs `migrate()`. The PostgreSQL store is imported lazily, so an
 * SQLite-only process never loads `pg`.
 */
export async function openStore(databaseUrl: string, options: OpenOptions = {}): Promise<Store> {
  const filename = sqliteFilename(databaseUrl);
  if (filename !== undefined) {
    if (filename === '') throw new Error(`unsupported database URL ${JSON.stringify(databaseUrl)}: no file name`);
    return options.secondary ? new SqliteStore(openConnection(filename, { backgroundCheckpoints: true })) : SqliteStore.open(filename);
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const { PostgresStore } = await import('./postgres/store.ts');
    const { parsePostgresUrl } = await import('./postgres/connection.ts');
    return options.secondary
      ? new PostgresStore({ ...parsePostgresUrl(databaseUrl), poolSize: 1, readConnections: 0 })
      : PostgresStore.fromUrl(databaseUrl);
  }
  throw new Error(
    `unsupported database URL ${JSON.stringify(databaseUrl.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:<file>, sqlite::memory: or postgres://…`,
  );
}

/** The file (or `:memory:`) of a `sqlite:` URL, as given (relative to the working directory); undefined for other URLs. */
export function sqliteFilename(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const filename = databaseUrl.slice('sqlite:'.length);
  return filename.startsWith('//') ? filename.slice(2) : filename;
}
