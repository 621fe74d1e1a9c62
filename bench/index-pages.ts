/**
 * npm run bench (index pages) — `GET /Users?startIndex=<random>&count=100` at 10,000 and 100,000
 * users (issue 20: a deep page must not cost its depth), 16 clients, then one client walking every
 * user forward by startIndex, as an Okta import does, printing the time of each tenth of the walk
 * (flat: linear in the number of users). On SQLite, then PostgreSQL; both sizes are tenants of one
 * database, seeded in bulk through the store.
 *
 * Environment: BENCH_PAGE_SIZES (10000,100000), BENCH_SECONDS per scenario (10).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import { cpuSeconds, startScimd } from './scimd-process.ts';
import { seedUsers } from './seed.ts';
import { onEachStore } from './stores.ts';

const SIZES = (process.env['BENCH_PAGE_SIZES'] ?? '10000,100000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 16;
const PAGE = 100;

const tokenOf = (size: number) => `bench-index-pages-${size}-0123456789abcdef`;

async function seedTenants(databaseUrl: string, width: number): Promise<void> {
  const store = await openStore(databaseUrl);
  await store.migrate();
  const now = new Date().toISOString();
  for (const size of SIZES) {
    const tenantId = randomUUID();
    await store.createTenant({ id: tenantId, name: `pages-${size}`, createdAt: now });
    await store.createToken({ id: `tok_pages_${size}`, tenantId, hash: hashSecret(tokenOf(size)), createdAt: now });
    const t0 = performance.now();
    await seedUsers(store, tenantId, { count: size, now, width });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`seeded ${size} users in ${seconds.toFixed(1)} s (${Math.round(size / seconds)} users/s)`);
  }
  await store.close();
}

async function randomPages(scimd: ChildProcess, base: string, size: number) {
  const cpu = cpuSeconds(scimd);
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${tokenOf(size)}` },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          path: `/scim/v2/Users?startIndex=${1 + Math.floor(Math.random() * (size - PAGE))}&count=${PAGE}`,
        }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMs: ((cpuSeconds(scimd) - cpu) * 1000) / result.requests.total,
  };
}

/** Every user, a page of 100 at a time by startIndex; checks that each was seen once. */
type Walked =
  | { readonly seconds: number; readonly cpuSeconds: number; readonly first: number; readonly last: number }
  | { readonly failed: string };

async function walk(scimd: ChildProcess, base: string, size: number): Promise<Walked> {
  const cpu = cpuSeconds(scimd);
  const times: number[] = [];
  const ids = new Set<string>();
  const started = performance.now();
  for (let startIndex = 1; startIndex <= size; startIndex += PAGE) {
    const t0 = performance.now();
    const res = await fetch(`${base}/scim/v2/Users?startIndex=${startIndex}&count=${PAGE}`, {
      headers: { authorization: `Bearer ${tokenOf(size)}` },
    });
    if (res.status !== 200) return { failed: `${res.status} at startIndex ${startIndex}: ${await res.text()}` };
    const body = (await res.json()) as { Resources: { id: string }[]; totalResults: number };
    times.push(performance.now() - t0);
    if (body.totalResults !== size) throw new Error(`walk: totalResults ${body.totalResults}, expected ${size}`);
    for (const r of body.Resources) ids.add(r.id);
  }
  if (ids.size !== size) throw new Error(`walk saw ${ids.size} distinct users, expected ${size}`);
  const tenth = Math.ceil(times.length / 10);
  const sum = (part: number[]) => part.reduce((a, b) => a + b, 0);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSeconds(scimd) - cpu,
    first: sum(times.slice(0, tenth)),
    last: sum(times.slice(times.length - tenth)),
  };
}

console.log(
  `index pages of ${PAGE}: ${CONNECTIONS} clients for ${SECONDS} s at random startIndex; then one client walking every user forward`,
);
const header = [
  '| store | users | random pages/s | p50 ms | p99 ms | errors | server CPU ms/page | walk s | walk server CPU s | first tenth ms | last tenth ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const table: string[] = [];

await onEachStore(async (store) => {
  await seedTenants(store.databaseUrl, store.seedWidth);
  const port = 18100 + store.index;
  const scimd = await startScimd({ SCIMD_DATABASE_URL: store.databaseUrl }, port);
  const base = `http://127.0.0.1:${port}`;
  try {
    for (const size of SIZES) {
      const random = await randomPages(scimd, base, size);
      const walked = await walk(scimd, base, size);
      const walkCells =
        'failed' in walked
          ? `walk failed: ${walked.failed.slice(0, 80)} | | | `
          : `${walked.seconds.toFixed(1)} | ${walked.cpuSeconds.toFixed(1)} | ${walked.first.toFixed(0)} | ${walked.last.toFixed(0)}`;
      table.push(
        `| ${store.name} | ${size} | ${random.rps.toFixed(1)} | ${random.p50} | ${random.p99} | ${random.errors} | ${random.cpuMs.toFixed(1)} | ${walkCells} |`,
      );
      // As it comes, so that a later failure loses nothing.
      console.log(table[table.length - 1]);
    }
  } finally {
    scimd.kill('SIGTERM');
  }
});

console.log(`\n${[...header, ...table].join('\n')}`);
