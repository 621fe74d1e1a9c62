import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, postgresTestOptions } from '../src/store/postgres/testing.ts';

/** How a bench drives one store: its name, a database of its own, how many writes to seed at once. */
export interface BenchStore {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly databaseUrl: string;
  /** Writes in flight while seeding: PostgreSQL gains from 16, SQLite serialises them anyway. */
  readonly seedWidth: number;
  /** 0 for SQLite, 1 for PostgreSQL: for benches that need a port or a name per store. */
  readonly index: number;
}

/** BENCH_STORES (sqlite,postgres): the stores a bench runs on, for comparing builds one store at a time. */
const STORES = (process.env['BENCH_STORES'] ?? 'sqlite,postgres').toLowerCase().split(',');

/**
 * Runs `scenarios` on a fresh SQLite file, then on a scratch PostgreSQL database (created and
 * dropped, as the tests do), and returns the figures by store name. PostgreSQL is skipped with a
 * message when it does not answer.
 */
export async function onEachStore<F>(scenarios: (store: BenchStore) => Promise<F>): Promise<Map<string, F>> {
  const results = new Map<string, F>();
  if (STORES.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-'));
    try {
      results.set('SQLite', await scenarios({ name: 'SQLite', databaseUrl: `sqlite:${join(dir, 'bench.db')}`, seedWidth: 1, index: 0 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!STORES.includes('postgres')) return results;
  const reachable = await postgresTestOptions();
  if (reachable.skip) {
    console.log(`# SKIP PostgreSQL: ${reachable.skip}`);
    return results;
  }
  const scratch = await createTestDatabase();
  try {
    results.set('PostgreSQL', await scenarios({ name: 'PostgreSQL', databaseUrl: scratch.url, seedWidth: 16, index: 1 }));
  } finally {
    await scratch.drop();
  }
  return results;
}
