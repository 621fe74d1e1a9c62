import type { Store } from './ports.ts';
import { SqliteStore } from './sqlite/store.ts';

/**
 * Opens the store a database URL names: `sqlite:./data/scimd.db` (the directory is created),
 * `sqlite::memory:` for tests. The caller runs `migrate()`.
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    let filename = databaseUrl.slice('sqlite:'.length);
    if (filename.startsWith('//')) filename = filename.slice(2);
    if (filename === '') throw new Error(`unsupported database URL ${JSON.stringify(databaseUrl)}: no file name`);
    return SqliteStore.open(filename);
  }
  throw new Error(`unsupported database URL ${JSON.stringify(databaseUrl.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:<file> or sqlite::memory:`);
}
