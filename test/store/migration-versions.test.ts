import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIGRATIONS as POSTGRES } from '../../src/store/postgres/migrations.ts';
import { MIGRATIONS as SQLITE } from '../../src/store/sqlite/migrations.ts';

/**
 * runMigrations skips a version already recorded: two entries with one version number (two branches
 * that picked the same number) would lose one migration without a word.
 */
describe('migration lists (src/store/*/migrations.ts)', () => {
  for (const [store, list] of [
    ['SQLite', SQLITE],
    ['PostgreSQL', POSTGRES],
  ] as const) {
    it(`${store}: every version number is used once`, () => {
      const versions = list.map((m) => m.version);
      const repeated = versions.filter((v, i) => versions.indexOf(v) !== i);
      assert.deepEqual(repeated, [], `${store} migrations use these versions twice`);
    });
  }
});
