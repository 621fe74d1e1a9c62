import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './connection.ts';

/**
 * Prepared statements by SQL text. The fixed statements of the store are prepared once on first
 * use and kept; compiled filters vary with the request, so they live in a bounded LRU (a Map's
 * insertion order is its recency order).
 */
export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #fixed = new Map<string, Statement>();
  readonly #dynamic = new Map<string, Statement>();
  readonly #capacity: number;

  constructor(db: SqliteDatabase, capacity = 256) {
    this.#db = db;
    this.#capacity = capacity;
  }

  fixed(text: string): Statement {
    let stmt = this.#fixed.get(text);
    if (!stmt) {
      stmt = this.#db.prepare(text);
      this.#fixed.set(text, stmt);
    }
    return stmt;
  }

  dynamic(text: string): Statement {
    const hit = this.#dynamic.get(text);
    if (hit) {
      this.#dynamic.delete(text);
      this.#dynamic.set(text, hit);
      return hit;
    }
    const stmt = this.#db.prepare(text);
    this.#dynamic.set(text, stmt);
    if (this.#dynamic.size > this.#capacity) this.#dynamic.delete(this.#dynamic.keys().next().value!);
    return stmt;
  }
}
