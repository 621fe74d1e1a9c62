/**
 * npm run bench (grown databases) — SQLite and PostgreSQL side by side on databases grown from
 * empty through the API, as an identity provider fills them, with no manual ANALYZE (issue 20:
 * PostgreSQL must not be fast or slow by luck; docs/postgresql.md "Statistics"). For each size
 * and store: a fresh database, one `scimd serve`, users created by 16 clients each looking its
 * user up first (`userName eq`, as Entra does before a write), then 16 connections of:
 *   - `userName eq` lookups, GET /Users/{id}, PATCH /Users/{id} (replace active and title).
 * Printed: req/s, p50, p99 and server CPU per request for each store, and PostgreSQL's req/s as a
 * fraction of SQLite's (target: at least 0.5 for lookups, gets and PATCHes).
 *
 * Environment: BENCH_GROWN_USERS (10000,100000), BENCH_SECONDS per scenario (10).
 */

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import { cpuSeconds, startScimd } from './scimd-process.ts';
import { patchUserBody, userNameOf } from './seed.ts';
import { onEachStore } from './stores.ts';

const SIZES = (process.env['BENCH_GROWN_USERS'] ?? '10000,100000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
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

async function main() {
  for (const users of SIZES) {
    const figures = await onEachStore(async (store) => {
      await prepare(store.databaseUrl);
      const port = 18100 + store.index;
      const scimd = await startScimd({ SCIMD_DATABASE_URL: store.databaseUrl }, port);
      try {
        const url = `http://127.0.0.1:${port}`;
        const t0 = performance.now();
        const ids = await grow(`${url}/scim/v2`, users);
        const seconds = (performance.now() - t0) / 1000;
        console.log(`${store.name}: grew ${users} users through the API in ${seconds.toFixed(1)} s (${(users / seconds).toFixed(0)}/s)`);
        let title = 0;
        const rows: Row[] = [
          await load(scimd, url, users, (i) => ({
            method: 'GET',
            path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(i)}"`)}`,
          })),
          await load(scimd, url, users, (i) => ({ method: 'GET', path: `/scim/v2/Users/${ids[i]}` })),
          await load(scimd, url, users, (i) => ({
            method: 'PATCH',
            path: `/scim/v2/Users/${ids[i]}`,
            body: patchUserBody(title++),
          })),
        ];
        return rows;
      } finally {
        scimd.kill('SIGTERM');
      }
    });
    const sqlite = figures.get('SQLite')!;
    const postgres = figures.get('PostgreSQL');
    console.log(`\n${users} users grown through the API, no manual ANALYZE, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n`);
    console.log(
      '| scenario | SQLite req/s | p50 / p99 ms | CPU µs/req | PostgreSQL req/s | p50 / p99 ms | CPU µs/req | PostgreSQL / SQLite |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    SCENARIOS.forEach((name, i) => {
      const s = sqlite[i]!;
      const p = postgres?.[i];
      const cells = (r: Row) => `${r.rps}${r.errors ? ` (${r.errors} errors)` : ''} | ${r.p50} / ${r.p99} | ${r.cpuUs.toFixed(0)}`;
      console.log(`| ${name} | ${cells(s)} | ${p ? cells(p) : '– | – | –'} | ${p ? (p.rps / s.rps).toFixed(2) : '–'} |`);
    });
    console.log('');
  }
}

await main();
