/**
 * npm run bench:scale — a million users (issue 20): lookups (`userName eq`), GETs by id and
 * cursor pages must run at a million users within 20% of their rate at 10,000. On SQLite, then
 * PostgreSQL: one database per size, each seeded from empty in bulk through the store (createMany,
 * 1,000 users a transaction; the seeding rate is printed), one scimd process on each, and then the
 * sizes measured in turn, scenario by scenario, BENCH_SCALE_ROUNDS times (A B A B): on a machine
 * shared with other work the load moves between two measurements minutes apart more than the
 * database size does, so the rates compared are medians of interleaved runs, and beside them the
 * server's CPU per request (from /proc), which the load moves far less.
 * Not part of `npm run bench`: seeding a million users takes minutes (docs/performance.md).
 *
 * Environment: BENCH_SCALE_SIZES (10000,1000000), BENCH_SCALE_ROUNDS (2), BENCH_SECONDS per
 * scenario and round (10), BENCH_STORES (sqlite,postgres), BENCH_SCALE_DATA (a folder where the
 * seeded SQLite databases are kept and reused, one per size: a run measures a copy, so that a
 * million users are seeded once rather than every run).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { hashSecret } from '../src/auth/secrets.ts';
import { encodeCursor, queryFingerprint } from '../src/service/cursor.ts';
import { openStore } from '../src/store/open.ts';
import { createTestDatabase } from '../src/store/postgres/testing.ts';
import { cpuSeconds, startScimd } from './scimd-process.ts';
import { seedUsers, userNameOf } from './seed.ts';
import { type BenchStore, onEachStore } from './stores.ts';

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '10000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env['BENCH_SCALE_ROUNDS'] ?? 2);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 16;
const TOKEN = 'bench-scale-token-0123456789abcdef';
const KEPT = process.env['BENCH_SCALE_DATA'];

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server CPU µs per request. */
  readonly cpuUs: number;
}

async function load(server: ChildProcess, base: string, path: () => string): Promise<Measured> {
  const before = cpuSeconds(server);
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  if (result.errors + result.non2xx > 0) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx answers`);
  const cpuUs = ((cpuSeconds(server) - before) * 1e6) / result.requests.total;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

const pick = (n: number) => Math.floor(Math.random() * n);
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * A cursor of `GET /Users?count=100` (RFC 9865) positioned after a random user. Users seeded into
 * an empty database have row keys 1…n, so the cursor is written here as scimd writes one
 * (src/service/cursor.ts): a page anywhere in the list, not only near its start.
 */
const USERS_FINGERPRINT = queryFingerprint([['User'], undefined, undefined, false]);
const cursorAfter = (rowKey: number, total: number) =>
  encodeCursor('after', { sortValue: null, rowKey }, total, USERS_FINGERPRINT, new Date());

type Scenario = 'userName eq' | 'GET /Users/{id}' | 'cursor page of 100';
const SCENARIOS: readonly Scenario[] = ['userName eq', 'GET /Users/{id}', 'cursor page of 100'];

/** A database of its own for each size: the bench's own for the first, more beside it. */
async function databaseFor(bench: BenchStore, n: number): Promise<{ url: string; drop: () => Promise<void> }> {
  if (n === 0) return { url: bench.databaseUrl, drop: async () => undefined };
  if (bench.name === 'SQLite') return { url: bench.databaseUrl.replace(/\.db$/, `-${n}.db`), drop: async () => undefined };
  return createTestDatabase();
}

/** A tenant of `size` users seeded from empty; returns their ids. */
async function seedDatabase(bench: BenchStore, url: string, size: number): Promise<string[]> {
  const store = await openStore(url);
  try {
    await store.migrate();
    const now = new Date().toISOString();
    const tenantId = randomUUID();
    await store.createTenant({ id: tenantId, name: 'scale', createdAt: now });
    await store.createToken({ id: 'tok_scale', tenantId, hash: hashSecret(TOKEN), createdAt: now });
    const t0 = performance.now();
    const ids = await seedUsers(store, tenantId, {
      count: size,
      now,
      width: bench.seedWidth,
      progress: (done) => done % 100_000 === 0 && console.log(`  ${bench.name}: ${done} users`),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`${bench.name}: seeded ${size} users in ${seconds.toFixed(0)} s, ${Math.round(size / seconds)} users/s`);
    return ids;
  } finally {
    await store.close();
  }
}

/**
 * A seeded SQLite database kept in BENCH_SCALE_DATA (seeded there first if it is not), copied to
 * `url`'s file; returns the ids of its users in the order they were seeded.
 */
async function keptDatabase(bench: BenchStore, url: string, size: number): Promise<string[]> {
  const kept = join(KEPT!, `sqlite-${size}.db`);
  if (!existsSync(kept)) {
    mkdirSync(KEPT!, { recursive: true });
    const seeding = `${kept}.seeding`;
    await seedDatabase(bench, `sqlite:${seeding}`, size);
    renameSync(seeding, kept);
  }
  const file = url.replace(/^sqlite:/, '');
  copyFileSync(kept, file);
  // Written back now: otherwise the first checkpoint's fsync, inside the measurement, writes the whole copy.
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT id FROM resources WHERE resource_type = 'User' ORDER BY row_key`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

const results = await onEachStore(async (bench) => {
  const databases: { url: string; drop: () => Promise<void> }[] = [];
  const servers: ChildProcess[] = [];
  const runs = new Map<number, Map<Scenario, Measured[]>>();
  try {
    const targets: { size: number; base: string; server: ChildProcess; paths: Record<Scenario, () => string> }[] = [];
    for (const [n, size] of SIZES.entries()) {
      const database = await databaseFor(bench, n);
      databases.push(database);
      const ids =
        KEPT && bench.name === 'SQLite' ? await keptDatabase(bench, database.url, size) : await seedDatabase(bench, database.url, size);
      const port = 18110 + 2 * n + bench.index;
      const server = await startScimd({ SCIMD_DATABASE_URL: database.url }, port);
      servers.push(server);
      targets.push({
        size,
        base: `http://127.0.0.1:${port}`,
        server,
        paths: {
          'userName eq': () => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(pick(size))}"`)}`,
          'GET /Users/{id}': () => `/scim/v2/Users/${ids[pick(size)]}`,
          'cursor page of 100': () => `/scim/v2/Users?count=100&cursor=${cursorAfter(1 + pick(size - 100), size)}`,
        },
      });
      runs.set(size, new Map(SCENARIOS.map((s) => [s, []])));
    }
    // Warm-up: JIT, the page cache, PostgreSQL's plans.
    for (const target of targets) await load(target.server, target.base, target.paths['GET /Users/{id}']);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of SCENARIOS) {
        for (const target of targets) {
          const measured = await load(target.server, target.base, target.paths[scenario]);
          runs.get(target.size)!.get(scenario)!.push(measured);
          // As it comes, so that a later failure loses nothing.
          console.log(
            `${bench.name} at ${target.size}, round ${round}: ${scenario} ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.cpuUs.toFixed(0)} µs CPU/req`,
          );
        }
      }
    }
  } finally {
    for (const server of servers) server.kill('SIGTERM');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.once('exit', resolve))));
    for (const database of databases) await database.drop();
  }
  return runs;
});

const [small, large] = [SIZES[0]!, SIZES[SIZES.length - 1]!];
console.log(
  `\n${CONNECTIONS} clients, ${SECONDS} s a scenario, ${ROUNDS} interleaved rounds (medians); rate at ${large} users against the rate at ${small} (target: 80% or more)\n`,
);
console.log(`| store | scenario | req/s at ${small} | CPU µs/req | req/s at ${large} | CPU µs/req | p50 / p99 ms at ${large} | ratio |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const [name, runs] of results) {
  for (const scenario of SCENARIOS) {
    const a = runs.get(small)!.get(scenario)!;
    const b = runs.get(large)!.get(scenario)!;
    const [rpsA, rpsB] = [median(a.map((m) => m.rps)), median(b.map((m) => m.rps))];
    console.log(
      `| ${name} | ${scenario} | ${rpsA.toFixed(0)} | ${median(a.map((m) => m.cpuUs)).toFixed(0)} | ${rpsB.toFixed(0)} | ${median(b.map((m) => m.cpuUs)).toFixed(0)} | ${median(b.map((m) => m.p50))} / ${median(b.map((m) => m.p99))} | ${((rpsB / rpsA) * 100).toFixed(0)}% |`,
    );
  }
}
