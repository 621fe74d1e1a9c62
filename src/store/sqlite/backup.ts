import type { Store } from '../ports/store.ts';
import { SqliteStore } from './store.ts';

/**
 * An online backup of a SQLite store into `destination` (SQLite's backup API through
 * better-sqlite3): consistent while servers keep writing, since it restarts pages that change
 * under it. Returns the pages copied; throws for a store that is not SQLite.
 */
export async function backupSqlite(store: Store, destination: string): Promise<number> {
  if (!(store instanceof SqliteStore)) throw new Error('backup copies a SQLite database; back PostgreSQL up with pg_dump');
  const { totalPages } = await store.database.backup(destination);
  return totalPages;
}
