import type { Store } from './ports/store.ts';
import { SqliteStore } from './sqlite/store.ts';

/**
 * Opens the store a database URL names: `sqlite:./data/scimd.db` (the directory is created),
 * `sqlite::memory:` for tests, or `postgres://user:pass@host:5432/db?pool=10` (also
 * `postgresql://`; see src/store/postgres/connection.ts for `pool`, `statement_timeout`,
 * `connect_timeout`). The caller runs `migrate()`. The PostgreSQL store is imported lazily, so an
 * SQLite-only process never loads `pg`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  const filename = sqliteFilename(databaseUrl);
  if (filename !== undefined) {
    if (filename === '') throw new Error(`unsupported database URL ${JSON.stringify(databaseUrl)}: no file name`);
    return SqliteStore.open(filename);
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    const { PostgresStore } = await import('./postgres/store.ts');
    return PostgresStore.fromUrl(databaseUrl);
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
