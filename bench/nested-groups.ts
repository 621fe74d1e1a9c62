/**
 * npm run bench (fourth part) — nested groups (issue 8): 10,000 groups in a tree five levels deep
 * (fan-out 7: 7, 49, 343, 2,401 and 7,200 groups per level) and 10,000 users, each a direct
 * member of one bottom-level group, so every user has 1 direct and 4 indirect groups. On SQLite
 * and PostgreSQL, sequential requests (one at a time, the latency of one call, not throughput):
 *   - resolving a bottom user's groups in the store (store.get with groups), the figure the issue
 *     bounds (< 2 ms p50);
 *   - GET /Users/{id} of a bottom user through HTTP (a `scimd serve` child process);
 *   - both again for a user in no group: the baseline, so that the cost of nesting reads apart
 *     from the machine's (the figures of a shared machine are noisy);
 *   - GET /Users?filter=groups.value eq "<group>" for a top-level group (~1,430 users under it:
 *     a page of 100 and the count) and for a fourth-level group (~4 users).
 * p50 / p99 in ms. PostgreSQL is ANALYZEd after seeding, as autovacuum would have it. The
 * PostgreSQL database is created and dropped (SCIMD_TEST_POSTGRES_URL, as the
 * tests); skipped with a message when PostgreSQL does not answer.
 *
 * Environment: BENCH_NESTED_USERS (10000), BENCH_NESTED_SAMPLES per scenario (1000).
 */
import { randomUUID } from 'node:crypto';
import { hashSecret } from '../src/auth/secrets.ts';
import { parseFilter } from '../src/filter/parser.ts';
import { resolveFilter } from '../src/filter/resolve.ts';
import { createCoreRegistry } from '../src/schema/registry.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/ports/store.ts';
import { PostgresStore } from '../src/store/postgres/store.ts';
import { startScimd } from './scimd-process.ts';
import { onEachStore } from './stores.ts';

const LEVEL_SIZES: readonly number[] = [7, 49, 343, 2401, 7200];
const USERS = Number(process.env['BENCH_NESTED_USERS'] ?? 10_000);
const SAMPLES = Number(process.env['BENCH_NESTED_SAMPLES'] ?? 1000);
const TOKEN = 'bench-token-0123456789abcdef';

interface Seeded {
  readonly tenantId: string;
  readonly userIds: readonly string[];
  /** A user in no group. */
  readonly loner: string;
  /** Group ids per level, top (index 0) to bottom. */
  readonly levels: readonly (readonly string[])[];
}

/** Bottom-up, each group created with its members (users, or the groups of the level below). */
async function seed(store: Store, width: number): Promise<Seeded> {
  await store.migrate();
  const tenantId = randomUUID();
  const now = new Date().toISOString();
  await store.createTenant({ id: tenantId, name: 'bench', createdAt: now });
  await store.createToken({ id: 'tok_bench', tenantId, hash: hashSecret(TOKEN), createdAt: now });
  const parallel = async (count: number, make: (i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < count) await make(next++);
      }),
    );
  };
  // The last user is in no group: the baseline the nesting cost is read against.
  const userIds: string[] = Array.from({ length: USERS + 1 }, () => randomUUID());
  await parallel(userIds.length, (i) =>
    store
      .create(tenantId, {
        resourceType: 'User',
        id: userIds[i]!,
        doc: { userName: `user${i}@bench.example.com`, displayName: `User ${i}` },
        now,
      })
      .then(() => undefined),
  );
  const levels: string[][] = LEVEL_SIZES.map((size) => Array.from({ length: size }, () => randomUUID()));
  for (let level = LEVEL_SIZES.length - 1; level >= 0; level--) {
    const ids = levels[level]!;
    const below = level + 1 < levels.length ? levels[level + 1]! : userIds.slice(0, USERS);
    // Member j of the level below goes to group j mod (this level's size).
    const members = ids.map(() => [] as { value: string }[]);
    below.forEach((value, j) => members[j % ids.length]!.push({ value }));
    await parallel(ids.length, (i) =>
      store
        .create(tenantId, { resourceType: 'Group', id: ids[i]!, doc: { displayName: `L${level + 1}-${i}` }, members: members[i]!, now })
        .then(() => undefined),
    );
  }
  return { tenantId, userIds: userIds.slice(0, USERS), loner: userIds[USERS]!, levels };
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
}

/** SAMPLES sequential calls after a tenth as many untimed: p50 and p99 in ms. */
async function measure(call: (i: number) => Promise<void>): Promise<Latency> {
  for (let i = 0; i < Math.ceil(SAMPLES / 10); i++) await call(i);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await call(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

async function get(url: string, check: (body: Record<string, unknown>) => void): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
  check(body);
}

const pick = <T>(list: readonly T[], i: number) => list[(i * 7919) % list.length]!;

type Figures = Record<'storeGet' | 'storeLoner' | 'httpGet' | 'httpLoner' | 'filterTop' | 'filterLevel4', Latency> & {
  seedSeconds: number;
};

async function scenarios(name: string, databaseUrl: string, width: number, port: number): Promise<Figures> {
  console.log(`${name}: seeding ${USERS} users and ${LEVEL_SIZES.reduce((a, b) => a + b)} groups in ${LEVEL_SIZES.length} levels …`);
  const t0 = performance.now();
  const store = await openStore(databaseUrl);
  let seeded: Seeded;
  let storeGet: Latency;
  let storeLoner: Latency;
  try {
    seeded = await seed(store, width);
    // What autovacuum does on a live database; right after a bulk load it may not have yet.
    if (store instanceof PostgresStore) await store.pool.query('ANALYZE');
    const { tenantId, userIds } = seeded;
    storeGet = await measure(async (i) => {
      const user = await store.get(tenantId, 'User', pick(userIds, i), { groups: true });
      if (user?.groups?.length !== LEVEL_SIZES.length)
        throw new Error(`expected ${LEVEL_SIZES.length} groups, got ${user?.groups?.length}`);
    });
    storeLoner = await measure(async () => {
      const user = await store.get(tenantId, 'User', seeded.loner, { groups: true });
      if (user?.groups?.length !== 0) throw new Error('expected no groups');
    });
    // How many users the top-level filter matches, once, for the record.
    const registry = createCoreRegistry();
    const filter = resolveFilter(parseFilter(`groups.value eq "${seeded.levels[0]![0]}"`), registry, 'User');
    const probe = await store.query(tenantId, {
      targets: [{ resourceType: 'User', filter }],
      descending: false,
      page: { kind: 'index', startIndex: 1, count: 1 },
      include: {},
    });
    console.log(`${name}: a top-level group holds ${probe.totalResults} users`);
  } finally {
    await store.close();
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  const child = await startScimd({ SCIMD_RELAY: 'off', SCIMD_DATABASE_URL: databaseUrl }, port);
  const base = `http://127.0.0.1:${port}/scim/v2`;
  try {
    const { userIds, levels } = seeded;
    const users = (filter: string) => `${base}/Users?filter=${encodeURIComponent(filter)}&attributes=userName`;
    const httpGet = await measure((i) =>
      get(`${base}/Users/${pick(userIds, i)}`, (body) => {
        if ((body['groups'] as unknown[]).length !== LEVEL_SIZES.length) throw new Error('wrong groups');
      }),
    );
    const httpLoner = await measure(() => get(`${base}/Users/${seeded.loner}`, () => undefined));
    const filterTop = await measure((i) =>
      get(users(`groups.value eq "${pick(levels[0]!, i)}"`), (body) => {
        if ((body['Resources'] as unknown[]).length !== 100) throw new Error('expected a full page');
      }),
    );
    const filterLevel4 = await measure((i) =>
      get(users(`groups.value eq "${pick(levels[3]!, i)}"`), (body) => {
        if ((body['Resources'] as unknown[]).length === 0) throw new Error('expected users');
      }),
    );
    return { seedSeconds, storeGet, storeLoner, httpGet, httpLoner, filterTop, filterLevel4 };
  } finally {
    await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
  }
}

async function main() {
  const results = await onEachStore((store) => scenarios(store.name, store.databaseUrl, store.seedWidth, 18281 + store.index));
  const stores = [...results.keys()];
  const cell = (f: (x: Figures) => string) => stores.map((s) => f(results.get(s)!)).join(' | ');
  const ms = (l: Latency) => `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`;
  console.log(
    `\n${USERS} users, ${LEVEL_SIZES.reduce((a, b) => a + b)} groups in ${LEVEL_SIZES.length} levels; ${SAMPLES} sequential calls per row; p50 / p99 ms\n`,
  );
  console.log(`| scenario | ${stores.join(' | ')} |`);
  console.log(`|---|${stores.map(() => '---:').join('|')}|`);
  console.log(`| seeding (through the store) | ${cell((x) => `${x.seedSeconds.toFixed(0)} s`)} |`);
  console.log(`| a bottom user's 5 groups, in the store | ${cell((x) => ms(x.storeGet))} |`);
  console.log(`| the same for a user in no group (baseline) | ${cell((x) => ms(x.storeLoner))} |`);
  console.log(`| GET /Users/{id}, bottom user | ${cell((x) => ms(x.httpGet))} |`);
  console.log(`| GET /Users/{id}, user in no group (baseline) | ${cell((x) => ms(x.httpLoner))} |`);
  console.log(
    `| groups.value eq (top group, ~${Math.round(USERS / LEVEL_SIZES[0]!)} users; page of 100 + count) | ${cell((x) => ms(x.filterTop))} |`,
  );
  console.log(`| groups.value eq (level-4 group, ~${Math.round(USERS / LEVEL_SIZES[3]!)} users) | ${cell((x) => ms(x.filterLevel4))} |`);
}

await main();
