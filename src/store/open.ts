import type { Store } from './ports/store.ts';
import { SqliteStore } from './sqlite/store.ts';

/**
 * Opens the store a database URL names: `sqlite:./data/scimd.db` (the directory is created),
 * `sqlite::memory:` for tests, or `postgres://user:pass@host:5432/db?pool=10` (also
 * `postgresql://`; see src/store/postgres/store.ts for `pool`, `statement_timeout`,
 * `connect_timeout`). The caller runs `migrate()`. The PostgreSQL store is imported lazily, so an
 * SQLite-only process never loads `pg`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    let filename = databaseUrl.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
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
