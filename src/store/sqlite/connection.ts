import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { fold } from '../../filter/fold.ts';

export type SqliteDatabase = Database.Database;

/**
 * The epoch milliseconds of a dateTime string exactly as the in-memory evaluator reads it
 * (Date.parse), rather than SQLite's unixepoch, which rounds fractional seconds differently.
 */
function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Opens a connection configured for a file shared by a running server and the CLI: WAL lets
 * readers proceed during a write, busy_timeout makes the second writer wait instead of failing,
 * synchronous=NORMAL is durable under WAL except for the last transactions on power loss.
 * scim_fold and scim_instant must exist on every connection: the compiled filters call them.
 */
export function openConnection(filename: string, options: { readonly backgroundCheckpoints?: boolean } = {}): SqliteDatabase {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  // 8 MB. A write transaction reads its pages through the page cache, so the cache fills with
  // what writes touched; and every COMMIT of a transaction whose B-tree balance swapped two pages
  // (SQLite parks one at the lock-byte page's number meanwhile, so the cache's highest key becomes
  // 262,145) scans the whole cache to drop pages past the end of the file. With 64 MB that scan
  // was 6-7% of a PATCH's event-loop CPU at 100,000 users; with 8 MB under 1%. Reads outside a
  // write take their pages from the map (below), not the cache, and did not get slower.
  db.pragma('cache_size = -8192');
  // Reads map the file instead of copying each page in with a read() system call: a lookup of
  // one user among 100,000 touches pages that the 64 MB page cache does not hold. Only address
  // space is reserved; the operating system's page cache holds the pages either way.
  db.pragma('mmap_size = 1073741824');
  if (options.backgroundCheckpoints) {
    // checkpointer.ts copies the WAL back every 20 ms off the event loop; a COMMIT checkpoints
    // (and stalls its process) only if the log still reaches 32 MB. Once reset, the file is cut
    // back to 64 MB at most rather than keeping its peak size.
    db.pragma('wal_autocheckpoint = 8192');
    db.pragma('journal_size_limit = 67108864');
  }
  db.function('scim_fold', { deterministic: true }, (x: unknown) => (typeof x === 'string' ? fold(x) : x) as never);
  db.function('scim_instant', { deterministic: true }, (x: unknown) => instant(x));
  return db;
}
