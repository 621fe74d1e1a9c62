/**
 * npm run bench:scale — a million users (issue 20): lookups (`userName eq`), GETs by id and
 * cursor pages must run at a million users within 20% of their rate at 10,000. On SQLite, then
 * PostgreSQL: one tenant is seeded in bulk through the store (createMany, 1,000 users a
 * transaction; the seeding rate is printed) to 10,000 users and measured, then grown to a million
 * and measured again, by 16 clients against a scimd process started afresh for each measurement.
 * Not part of `npm run bench`: seeding a million users takes minutes (docs/performance.md).
 *
 * Environment: BENCH_SCALE_SIZES (10000,1000000), BENCH_SECONDS per scenario (10), BENCH_STORES
 * (sqlite,postgres).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { hashSecret } from '../src/auth/secrets.ts';
import { encodeCursor, queryFingerprint } from '../src/service/cursor.ts';
import { openStore } from '../src/store/open.ts';
import { startScimd } from './scimd-process.ts';
import { seedUsers, userNameOf } from './seed.ts';
import { onEachStore } from './stores.ts';

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '10000,1000000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 16;
const TOKEN = 'bench-scale-token-0123456789abcdef';

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

async function load(base: string, path: () => string): Promise<Measured> {
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: [{ setupRequest: (request) => ({ ...request, path: path() }) }],
  });
  if (result.errors + result.non2xx > 0) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const pick = (n: number) => Math.floor(Math.random() * n);

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

const results = await onEachStore(async (bench) => {
  const store = await openStore(bench.databaseUrl);
  await store.migrate();
  const now = new Date().toISOString();
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name: 'scale', createdAt: now });
  await store.createToken({ id: 'tok_scale', tenantId, hash: hashSecret(TOKEN), createdAt: now });
  let ids: string[] = [];
  const figures = new Map<number, Map<Scenario, Measured>>();
  try {
    for (const size of SIZES) {
      const t0 = performance.now();
      const more = size - ids.length;
      const seeded = await seedUsers(store, tenantId, {
        first: ids.length,
        count: more,
        now,
        width: bench.seedWidth,
        progress: (done) => done % 100_000 === 0 && console.log(`  ${bench.name}: ${ids.length + done} users`),
      });
      ids = ids.concat(seeded);
      const seconds = (performance.now() - t0) / 1000;
      console.log(`${bench.name}: seeded ${more} users (to ${size}) in ${seconds.toFixed(0)} s, ${Math.round(more / seconds)} users/s`);
      const port = 18110 + bench.index;
      const scimd = await startScimd({ SCIMD_DATABASE_URL: bench.databaseUrl }, port);
      const base = `http://127.0.0.1:${port}`;
      try {
        // Warm-up: JIT, the page cache, PostgreSQL's plans.
        await load(base, () => `/scim/v2/Users/${ids[pick(size)]}`);
        const paths: Record<Scenario, () => string> = {
          'userName eq': () => `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(pick(size))}"`)}`,
          'GET /Users/{id}': () => `/scim/v2/Users/${ids[pick(size)]}`,
          'cursor page of 100': () => `/scim/v2/Users?count=100&cursor=${cursorAfter(1 + pick(size - 100), size)}`,
        };
        const row = new Map<Scenario, Measured>();
        for (const scenario of SCENARIOS) {
          const measured = await load(base, paths[scenario]);
          row.set(scenario, measured);
          // As it comes, so that a later failure loses nothing.
          console.log(
            `${bench.name} at ${size}: ${scenario} ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms`,
          );
        }
        figures.set(size, row);
      } finally {
        scimd.kill('SIGTERM');
        await new Promise((resolve) => scimd.once('exit', resolve));
      }
    }
  } finally {
    await store.close();
  }
  return figures;
});

const [small, large] = [SIZES[0]!, SIZES[SIZES.length - 1]!];
console.log(
  `\n${CONNECTIONS} clients, ${SECONDS} s a scenario; rate at ${large} users against the rate at ${small} (target: 80% or more)\n`,
);
console.log(`| store | scenario | req/s at ${small} | p50 ms | req/s at ${large} | p50 ms | p99 ms | ratio |`);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const [name, figures] of results) {
  for (const scenario of SCENARIOS) {
    const a = figures.get(small)!.get(scenario)!;
    const b = figures.get(large)!.get(scenario)!;
    console.log(
      `| ${name} | ${scenario} | ${a.rps.toFixed(0)} | ${a.p50} | ${b.rps.toFixed(0)} | ${b.p50} | ${b.p99} | ${((b.rps / a.rps) * 100).toFixed(0)}% |`,
    );
  }
}
