/**
 * npm run bench (grown databases) — SQLite and PostgreSQL side by side on databases grown from
 * empty through the API, as an identity provider fills them, with no manual ANALYZE (issue 20:
 * PostgreSQL must not be fast or slow by luck; docs/postgresql.md "Statistics"). For each size
 * and store: a fresh database, one `scimd serve`, users created by 16 clients each looking its
 * user up first (`userName eq`, as Entra does before a write), then 16 connections of:
 *   - `userName eq` lookups, GET /Users/{id}, PATCH /Users/{id} (replace active and title).
 * Both stores are grown first, each served by its own `scimd serve`; then the scenarios run on
 * the two in turns for BENCH_ROUNDS rounds, the order reversed every round, so that the machine's
 * other load moves both alike. Printed: medians of req/s, p50, p99 and server CPU per request for
 * each store, and PostgreSQL's req/s as a fraction of SQLite's in each round with their median
 * (target: at least 0.5 for lookups, gets and PATCHes).
 *
 * Environment: BENCH_GROWN_USERS (10000,100000), BENCH_SECONDS per scenario (10), BENCH_ROUNDS (3).
 */

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import { cpuSeconds, median, startScimd } from './scimd-process.ts';
import { patchUserBody, userNameOf } from './seed.ts';
import { withStores } from './stores.ts';

const SIZES = (process.env['BENCH_GROWN_USERS'] ?? '10000,100000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONNECTIONS = 16;
const TOKEN = 'bench-token-0123456789abcdef';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

interface Row {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly errors: number;
}

/** The tenant and its token, straight through the store; everything else through the API. */
async function prepare(databaseUrl: string): Promise<void> {
  const store = await openStore(databaseUrl);
  await store.migrate();
  const now = new Date().toISOString();
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name: 'bench', createdAt: now });
  await store.createToken({ id: 'tok_bench', tenantId, hash: hashSecret(TOKEN), createdAt: now });
  await store.close();
}

async function grow(base: string, users: number): Promise<string[]> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
  const ids: string[] = new Array(users);
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < users) {
        const i = next++;
        const filter = encodeURIComponent(`userName eq "${userNameOf(i)}"`);
        const found = (await (await fetch(`${base}/Users?filter=${filter}`, { headers })).json()) as { totalResults: number };
        if (found.totalResults !== 0) throw new Error(`user ${i} exists already`);
        const res = await fetch(`${base}/Users`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            schemas: [USER_SCHEMA],
            userName: userNameOf(i),
            externalId: `ext-${i}`,
            displayName: `Given${i} Family${i % 977}`,
            name: { givenName: `Given${i}`, familyName: `Family${i % 977}` },
            active: true,
            emails: [{ value: `work.${i}@bench.example.com`, type: 'work', primary: true }],
          }),
        });
        if (res.status !== 201) throw new Error(`POST /Users ${res.status}: ${await res.text()}`);
        ids[i] = ((await res.json()) as { id: string }).id;
      }
    }),
  );
  return ids;
}

async function load(
  scimd: ChildProcess,
  url: string,
  users: number,
  request: (i: number) => { method: 'GET' | 'PATCH'; path: string; body?: string },
): Promise<Row> {
  const cpuBefore = cpuSeconds(scimd);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    requests: [{ setupRequest: (r) => ({ ...r, ...request(Math.floor(Math.random() * users)) }) }],
  });
  const cpuAfter = cpuSeconds(scimd);
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs: ((cpuAfter - cpuBefore) * 1e6) / result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

const SCENARIOS = ['userName eq', 'GET /Users/{id}', 'PATCH /Users/{id}'] as const;

/** One store's server, its database grown through the API. */
interface Grown {
  readonly name: string;
  readonly scimd: ChildProcess;
  readonly url: string;
  ids: string[];
}

let title = 0;

function requestOf(scenario: (typeof SCENARIOS)[number], ids: readonly string[]) {
  return (i: number): { method: 'GET' | 'PATCH'; path: string; body?: string } => {
    switch (scenario) {
      case 'userName eq':
        return { method: 'GET', path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(i)}"`)}` };
      case 'GET /Users/{id}':
        return { method: 'GET', path: `/scim/v2/Users/${ids[i]}` };
      case 'PATCH /Users/{id}':
        return { method: 'PATCH', path: `/scim/v2/Users/${ids[i]}`, body: patchUserBody(title++) };
    }
  };
}

async function main() {
  for (const users of SIZES) {
    await withStores(async (stores) => {
      const servers: Grown[] = [];
      try {
        for (const store of stores) {
          await prepare(store.databaseUrl);
          const port = 18100 + store.index;
          const server: Grown = {
            name: store.name,
            scimd: await startScimd({ SCIMD_DATABASE_URL: store.databaseUrl }, port),
            url: `http://127.0.0.1:${port}`,
            ids: [],
          };
          servers.push(server);
          const t0 = performance.now();
          server.ids = await grow(`${server.url}/scim/v2`, users);
          const seconds = (performance.now() - t0) / 1000;
          console.log(`${store.name}: grew ${users} users through the API in ${seconds.toFixed(1)} s (${(users / seconds).toFixed(0)}/s)`);
        }
        // The stores in turns, the order reversed every round: what the machine's other load does
        // to one round it does to both stores' figures of that round.
        const rounds = new Map<string, Row[]>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const scenario of SCENARIOS) {
            for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
              const row = await load(server.scimd, server.url, users, requestOf(scenario, server.ids));
              const key = `${server.name} ${scenario}`;
              console.log(
                `round ${round + 1} ${key}: ${row.rps} req/s, p99 ${row.p99} ms, ${row.cpuUs.toFixed(0)} µs${row.errors ? `, ${row.errors} errors` : ''}`,
              );
              rounds.set(key, [...(rounds.get(key) ?? []), row]);
            }
          }
        }
        console.log(
          `\n${users} users grown through the API, no manual ANALYZE, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per scenario, medians of the rounds\n`,
        );
        console.log(
          '| scenario | SQLite req/s | p50 / p99 ms | CPU µs/req | PostgreSQL req/s | p50 / p99 ms | CPU µs/req | PostgreSQL / SQLite (each round) |',
        );
        console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
        for (const scenario of SCENARIOS) {
          const s = rounds.get(`SQLite ${scenario}`);
          const p = rounds.get(`PostgreSQL ${scenario}`);
          const of = (rows: Row[], key: keyof Row) => median(rows.map((r) => r[key]));
          const cells = (rows: Row[] | undefined) => {
            if (!rows) return '– | – | –';
            const errors = rows.reduce((n, r) => n + r.errors, 0);
            return `${of(rows, 'rps').toFixed(0)}${errors ? ` (${errors} errors)` : ''} | ${of(rows, 'p50')} / ${of(rows, 'p99')} | ${of(rows, 'cpuUs').toFixed(0)}`;
          };
          const ratios = s && p ? s.map((r, i) => p[i]!.rps / r.rps) : [];
          const ratio = ratios.length ? `${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})` : '–';
          console.log(`| ${scenario} | ${cells(s)} | ${cells(p)} | ${ratio} |`);
        }
        console.log('');
      } finally {
        for (const { scimd } of servers) scimd.kill('SIGTERM');
        await Promise.all(servers.map(({ scimd }) => scimd.exitCode === null && new Promise((done) => scimd.once('exit', done))));
      }
    });
  }
}

await main();
