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
  return withStores(async (stores) => {
    const results = new Map<string, F>();
    for (const store of stores) results.set(store.name, await scenarios(store));
    return results;
  });
}

/**
 * The stores of BENCH_STORES at once, for a bench that measures them in turns (a loaded machine
 * moves a rate by a third from one minute to the next; alternating rounds let it hit both
 * alike): a fresh SQLite file and a scratch PostgreSQL database (skipped with a message when it
 * does not answer), both removed once `use` settles.
 */
export async function withStores<F>(use: (stores: readonly BenchStore[]) => Promise<F>): Promise<F> {
  const stores: BenchStore[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (STORES.includes('sqlite')) {
      const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      stores.push({ name: 'SQLite', databaseUrl: `sqlite:${join(dir, 'bench.db')}`, seedWidth: 1, index: 0 });
    }
    if (STORES.includes('postgres')) {
      const reachable = await postgresTestOptions();
      if (reachable.skip) console.log(`# SKIP PostgreSQL: ${reachable.skip}`);
      else {
        const scratch = await createTestDatabase();
        cleanups.push(() => scratch.drop());
        stores.push({ name: 'PostgreSQL', databaseUrl: scratch.url, seedWidth: 16, index: 1 });
      }
    }
    return await use(stores);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
