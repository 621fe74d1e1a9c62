import { openConnection, type SqliteDatabase } from './connection.ts';
import { StatementCache } from './statement-cache.ts';

/** Idle read connections kept open for the next snapshot; more are opened while more are in use. */
const IDLE = 4;

/** A read-only transaction on a connection of its own: a consistent view while the main connection writes. */
export interface Snapshot {
  readonly statements: StatementCache;
  end(): void;
}

/**
 * Read connections to the same file, for reads that span several statements and must see one
 * version of the database (a group's members streamed in chunks). Under WAL a reader's
 * transaction sees the database as it was when it began, whatever the main connection commits
 * meanwhile. Each snapshot holds a connection of its own for as long as it lasts.
 */
export class SnapshotConnections {
  readonly #filename: string;
  readonly #idle: { db: SqliteDatabase; statements: StatementCache }[] = [];
  #closed = false;

  constructor(filename: string) {
    this.#filename = filename;
  }

  begin(): Snapshot {
    if (this.#closed) throw new Error('the store is closed');
    let connection = this.#idle.pop();
    if (!connection) {
      const db = openConnection(this.#filename);
      // The file is memory-mapped: the page cache of a reader holds little; keep it small.
      db.pragma('cache_size = -2048');
      connection = { db, statements: new StatementCache(db) };
    }
    const { db, statements } = connection;
    db.exec('BEGIN');
    let ended = false;
    return {
      statements,
      end: () => {
        if (ended) return;
        ended = true;
        db.exec('COMMIT');
        if (this.#closed || this.#idle.length >= IDLE) db.close();
        else this.#idle.push(connection);
      },
    };
  }

  close(): void {
    this.#closed = true;
    for (const { db } of this.#idle.splice(0)) db.close();
  }
}
