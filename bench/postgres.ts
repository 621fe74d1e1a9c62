/**
 * npm run bench (third part) — SQLite and PostgreSQL side by side, 1 and 3 `scimd serve`
 * instances (issue 6). For each store: seeds 100,000 users and 1,000 groups (plus one group whose
 * members are all 100,000 users and one of 10) into a database of its own, starts N instances on
 * it, and drives them with autocannon, one autocannon per instance running at once with the
 * connections split between them (a trivial round-robin). Scenarios:
 *   - user creates/s (POST /Users, a new userName each);
 *   - `userName eq` lookups/s;
 *   - adding 100 members to a group (one PATCH), p99 over BENCH_PATCHES sequential PATCHes, with
 *     the 100,000-member group and with the 10-member group (each PATCH's members are removed
 *     again, untimed, before the next).
 * The PostgreSQL database is created and dropped (SCIMD_TEST_POSTGRES_URL, as the tests); it is
 * skipped with a message when PostgreSQL does not answer.
 *
 * Each load scenario runs unmeasured first (BENCH_WARMUP seconds): every instance compiles its
 * hot paths on its own share of the traffic, so three instances take three times as many requests
 * to warm up as one; measured cold, the three-instance rows mostly measured the JIT.
 *
 * Environment: BENCH_USERS (100000), BENCH_GROUPS (1000), BENCH_SECONDS per scenario (10),
 * BENCH_WARMUP per scenario (5), BENCH_PATCHES (200), BENCH_CONNECTIONS (30).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/ports/store.ts';
import { PostgresStore } from '../src/store/postgres/store.ts';
import { startScimd } from './scimd-process.ts';
import { onEachStore } from './stores.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 5);
const PATCHES = Number(process.env['BENCH_PATCHES'] ?? 200);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 30);
const TOKEN = 'bench-token-0123456789abcdef';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

const userNameOf = (i: number) => `user${i}@bench.example.com`;

function userDoc(i: number) {
  return {
    userName: userNameOf(i),
    externalId: `ext-${i}`,
    name: { givenName: `Given${i}`, familyName: `Family${i % 977}` },
    displayName: `Given${i} Family${i % 977}`,
    active: true,
    emails: [
      { value: `work.${i}@bench.example.com`, type: 'work', primary: true },
      { value: `home.${i}@bench.example.com`, type: 'home' },
    ],
  };
}

interface Seeded {
  readonly bigGroupId: string;
  readonly smallGroupId: string;
  /** 100 users in neither of the two groups: what each PATCH adds. */
  readonly extraIds: readonly string[];
}

/** Through the store, `width` writes at a time (PostgreSQL gains from it; SQLite serialises them). */
async function seed(store: Store, width: number): Promise<Seeded> {
  await store.migrate();
  const tenantId = randomUUID();
  const now = new Date().toISOString();
  await store.createTenant({ id: tenantId, name: 'bench', createdAt: now });
  await store.createToken({ id: 'tok_bench', tenantId, hash: hashSecret(TOKEN), createdAt: now });
  const ids: string[] = new Array(USERS + 100);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < ids.length) {
        const i = next++;
        const id = randomUUID();
        ids[i] = id;
        await store.create(tenantId, { resourceType: 'User', id, doc: userDoc(i), now });
      }
    }),
  );
  let g = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (g < GROUPS) {
        const k = g++;
        const members = ids.slice((k * 10) % USERS, ((k * 10) % USERS) + 10).map((value) => ({ value }));
        await store.create(tenantId, { resourceType: 'Group', id: randomUUID(), doc: { displayName: `Group ${k}` }, members, now });
      }
    }),
  );
  const bigGroupId = randomUUID();
  const smallGroupId = randomUUID();
  const members = (from: number, to: number) => ids.slice(from, to).map((value) => ({ value }));
  await store.create(tenantId, {
    resourceType: 'Group',
    id: bigGroupId,
    doc: { displayName: 'Everyone' },
    members: members(0, USERS),
    now,
  });
  await store.create(tenantId, { resourceType: 'Group', id: smallGroupId, doc: { displayName: 'Ten' }, members: members(0, 10), now });
  if (store instanceof PostgresStore) {
    // A table loaded this fast has no statistics yet; autovacuum would gather them within a minute.
    await store.pool.query('ANALYZE');
    // What the load wrote is flushed now, not by a timed checkpoint landing in the middle of a
    // measured scenario (CHECKPOINT needs superuser or pg_checkpoint; without, the figures
    // include it, as before).
    await store.pool.query('CHECKPOINT').catch(() => undefined);
  }
  return { bigGroupId, smallGroupId, extraIds: ids.slice(USERS) };
}

interface Load {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
}

/** One autocannon per instance, all at once, CONNECTIONS split between them; req/s summed. */
async function load(
  urls: readonly string[],
  request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string },
  seconds = SECONDS,
): Promise<Load> {
  let counter = 0;
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url,
        connections: Math.max(1, Math.round(CONNECTIONS / urls.length)),
        duration: seconds,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
        requests: [{ setupRequest: (r) => ({ ...r, ...request(counter++) }) }],
      }),
    ),
  );
  return {
    rps: Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
  };
}

/** The new ETag: each timed add must change the group (a no-op add would keep it). */
async function patch(url: string, groupId: string, operations: unknown[]): Promise<string> {
  const r = await fetch(`${url}/scim/v2/Groups/${groupId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', prefer: 'return=minimal' },
    body: JSON.stringify({ schemas: [PATCH_OP], Operations: operations }),
  });
  await r.arrayBuffer();
  if (r.status !== 204 && r.status !== 200) throw new Error(`PATCH answered ${r.status}`);
  return r.headers.get('etag') ?? '';
}

/** p50 and p99 (ms) of PATCHES sequential "add 100 members" PATCHes; each is undone untimed. */
async function memberAdds(url: string, groupId: string, extraIds: readonly string[]): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  let previous = '';
  for (let i = 0; i < PATCHES + 10; i++) {
    const t0 = performance.now();
    const etag = await patch(url, groupId, [{ op: 'add', path: 'members', value: extraIds.map((value) => ({ value })) }]);
    if (i >= 10) times.push(performance.now() - t0);
    if (etag === previous) throw new Error('an add of 100 members did not change the group');
    previous = await patch(
      url,
      groupId,
      extraIds.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
    );
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

interface Figures {
  creates: Load[];
  lookups: Load[];
  addBig: { p50: number; p99: number };
  addSmall: { p50: number; p99: number };
  seedSeconds: number;
}

let port = 18180;

async function scenarios(name: string, databaseUrl: string, seedWidth: number): Promise<Figures> {
  console.log(`${name}: seeding ${USERS} users and ${GROUPS} groups …`);
  const t0 = performance.now();
  const store = await openStore(databaseUrl);
  let seeded: Seeded;
  try {
    seeded = await seed(store, seedWidth);
  } finally {
    await store.close();
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`${name}: seeded in ${seedSeconds.toFixed(1)} s`);
  const figures: Figures = { creates: [], lookups: [], addBig: { p50: 0, p99: 0 }, addSmall: { p50: 0, p99: 0 }, seedSeconds };
  let created = 0;
  for (const instances of [1, 3]) {
    const ports = Array.from({ length: instances }, () => port++);
    const children = await Promise.all(ports.map((p) => startScimd({ SCIMD_DATABASE_URL: databaseUrl }, p)));
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    try {
      const lookup = () => ({
        method: 'GET' as const,
        path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(Math.floor(Math.random() * USERS))}"`)}`,
      });
      const create = () => ({
        method: 'POST' as const,
        path: '/scim/v2/Users',
        body: JSON.stringify({ schemas: [USER_SCHEMA], userName: `new${instances}-${created++}@bench.example.com`, active: true }),
      });
      await load(bases, lookup, WARMUP);
      figures.lookups.push(await load(bases, lookup));
      await load(bases, create, WARMUP);
      figures.creates.push(await load(bases, create));
      if (instances === 1) {
        figures.addBig = await memberAdds(bases[0]!, seeded.bigGroupId, seeded.extraIds);
        figures.addSmall = await memberAdds(bases[0]!, seeded.smallGroupId, seeded.extraIds);
      }
    } finally {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((r) => {
              c.once('exit', r);
              c.kill('SIGTERM');
            }),
        ),
      );
    }
    console.log(`${name}: ${instances} instance(s) done`);
  }
  return figures;
}

async function main() {
  const results = await onEachStore((store) => scenarios(store.name, store.databaseUrl, store.seedWidth));

  const stores = [...results.keys()];
  const cell = (f: (x: Figures) => string) => stores.map((s) => f(results.get(s)!)).join(' | ');
  const rate = (l: Load | undefined) => (l ? `${l.rps}/s (p99 ${l.p99} ms${l.errors ? `, ${l.errors} errors` : ''})` : '–');
  console.log(
    `\n${USERS} users, ${GROUPS} groups; ${CONNECTIONS} connections split over the instances, ${SECONDS} s per load scenario after ${WARMUP} s of warm-up\n`,
  );
  console.log(`| scenario | ${stores.join(' | ')} |`);
  console.log(`|---|${stores.map(() => '---:').join('|')}|`);
  console.log(`| seeding (through the store) | ${cell((x) => `${x.seedSeconds.toFixed(0)} s`)} |`);
  console.log(`| user creates, 1 instance | ${cell((x) => rate(x.creates[0]))} |`);
  console.log(`| user creates, 3 instances | ${cell((x) => rate(x.creates[1]))} |`);
  console.log(`| userName eq lookups, 1 instance | ${cell((x) => rate(x.lookups[0]))} |`);
  console.log(`| userName eq lookups, 3 instances | ${cell((x) => rate(x.lookups[1]))} |`);
  console.log(
    `| add 100 members, group of ${USERS}: p50 / p99 ms | ${cell((x) => `${x.addBig.p50.toFixed(1)} / ${x.addBig.p99.toFixed(1)}`)} |`,
  );
  console.log(
    `| add 100 members, group of 10: p50 / p99 ms | ${cell((x) => `${x.addSmall.p50.toFixed(1)} / ${x.addSmall.p99.toFixed(1)}`)} |`,
  );
  console.log(`| p99 ratio, big / small group | ${cell((x) => `${(x.addBig.p99 / x.addSmall.p99).toFixed(2)}×`)} |`);
}

await main();
