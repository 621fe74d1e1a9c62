import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULTS } from '../config/config.ts';
import { ConfigError } from '../config/load.ts';
import { maskUrl } from '../config/variables.ts';
import { openStore, sqliteFilename } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { databaseFailure } from './failure.ts';

/** Where a database URL points, as a person should be told. */
export interface DatabaseTarget {
  /** The absolute file of a SQLite database (undefined for PostgreSQL and `sqlite::memory:`). */
  readonly file: string | undefined;
  /** `sqlite:/absolute/path.db`, `sqlite::memory:`, or the PostgreSQL URL without its password. */
  readonly display: string;
  /** The zero-configuration database of this directory (./data/scimd.db): nothing needs saying. */
  readonly isDefaultHere: boolean;
}

export function databaseTarget(databaseUrl: string, cwd: string = process.cwd()): DatabaseTarget {
  const filename = sqliteFilename(databaseUrl);
  if (filename === undefined) return { file: undefined, display: maskUrl(databaseUrl), isDefaultHere: false };
  if (filename === ':memory:') return { file: undefined, display: databaseUrl, isDefaultHere: false };
  const file = resolve(cwd, filename);
  return { file, display: `sqlite:${file}`, isDefaultHere: file === resolve(cwd, sqliteFilename(DEFAULTS.databaseUrl)!) };
}

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
