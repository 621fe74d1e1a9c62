import { existsSync } from 'node:fs';
import { DEFAULTS } from '../config/config.ts';
import { ConfigError } from '../config/load.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { databaseTarget } from './database-target.ts';
import { databaseFailure } from './failure.ts';

/** Whether a command only reads (and so must never create a database) or may write. */
export type Access = 'read' | 'write';

/**
 * Opens and migrates the configured database for a CLI command. Says on stderr which database
 * it is unless it is the default one of the working directory, and refuses to create a new
 * SQLite file for a command that only reads: run from the wrong directory, `tenants list` would
 * otherwise make an empty database and print nothing.
 */
export async function openDatabase(
  databaseUrl: string,
  access: Access,
  warn: (line: string) => void,
): Promise<{ store: Store; migrations: readonly number[] }> {
  const target = databaseTarget(databaseUrl);
  if (access === 'read' && target.file !== undefined && !existsSync(target.file)) {
    throw new ConfigError(
      `no database at ${target.file}${target.isDefaultHere ? ` (the default ${DEFAULTS.databaseUrl} is relative to the working directory)` : ''}: run scimd where the server runs, or set SCIMD_DATABASE_URL; a read-only command does not create one`,
    );
  }
  if (!target.isDefaultHere) warn(`scimd: database ${target.display}`);
  let store: Store;
  try {
    store = await openStore(databaseUrl);
  } catch (error) {
    throw databaseFailure(databaseUrl, error);
  }
  try {
    return { store, migrations: await store.migrate() };
  } catch (error) {
    await store.close();
    throw databaseFailure(databaseUrl, error);
  }
}
