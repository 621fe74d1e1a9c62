import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { raw, type Sql } from '../sql/fragment.ts';
import { type Plan, rows } from '../sql/run.ts';
import type { SqliteDatabase } from './connection.ts';
import { GroupCommit } from './group-commit.ts';

/**
 * A connection whose transaction functions say how each write was committed: `transaction` in a
 * transaction of its own (called `.immediate`), `savepoint` nested in the batch's (called plainly:
 * better-sqlite3 makes a nested transaction a savepoint).
 */
function recordingDatabase() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT)');
  const commits: string[] = [];
  const recording = new Proxy(db, {
    get(target, name) {
      if (name !== 'transaction') return Reflect.get(target, name, target);
      return (fn: (...args: unknown[]) => unknown) => {
        const real = target.transaction(fn);
        const nested = (...args: unknown[]) => {
          commits.push('savepoint');
          return real(...args);
        };
        return Object.assign(nested, {
          immediate: (...args: unknown[]) => {
            commits.push('transaction');
            return real.immediate(...args);
          },
        });
      };
    },
  }) as unknown as SqliteDatabase;
  const exec = (query: Sql) => {
    const statement = db.prepare(query.sql);
    if (statement.reader) return statement.all(query.params);
    statement.run(query.params);
    return [];
  };
  return { db, commits, group: new GroupCommit(recording, exec) };
}

function* insert(value: string): Plan<string> {
  yield raw(`INSERT INTO t (v) VALUES ('${value}')`);
  return value;
}

function* insertWithSavepoints(values: readonly string[]): Plan<number> {
  for (const value of values) {
    yield raw('SAVEPOINT one');
    yield* insert(value);
    yield raw('RELEASE SAVEPOINT one');
  }
  const [row] = yield* rows<{ n: number }>(raw('SELECT count(*) AS n FROM t'));
  return row!.n;
}

describe('group commit (docs/store.md)', () => {
  it('writes asked for in one turn commit in one transaction, each in a savepoint', async () => {
    const { db, commits, group } = recordingDatabase();
    assert.deepEqual(await Promise.all([group.run(() => insert('a')), group.run(() => insert('b'))]), ['a', 'b']);
    assert.deepEqual(commits, ['transaction', 'savepoint', 'savepoint']);
    assert.deepEqual(db.prepare('SELECT v FROM t ORDER BY v').pluck().all(), ['a', 'b']);
  });

  it('a write alone in its turn commits without a savepoint', async () => {
    const { commits, group } = recordingDatabase();
    assert.equal(await group.run(() => insert('a')), 'a');
    assert.deepEqual(commits, ['transaction']);
  });

  it('a plan with savepoints of its own (a Bulk) commits in a transaction of its own, at its place in the queue', async () => {
    const { db, commits, group } = recordingDatabase();
    const answers = await Promise.all([
      group.run(() => insert('before')),
      group.run(() => insertWithSavepoints(['bulk 1', 'bulk 2']), true),
      group.run(() => insert('after 1')),
      group.run(() => insert('after 2')),
    ]);
    // The write before it was alone in the part of the queue before it; the two after it shared one transaction.
    assert.deepEqual(commits, ['transaction', 'transaction', 'transaction', 'savepoint', 'savepoint']);
    assert.deepEqual(answers, ['before', 3, 'after 1', 'after 2']);
    assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 5);
  });
});
