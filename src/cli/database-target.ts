import { resolve } from 'node:path';
import { DEFAULTS } from '../config/config.ts';
import { maskUrl } from '../config/variables.ts';
import { sqliteFilename } from '../store/open.ts';

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
