/**
 * What the request log costs (docs/console.md): `userName eq` lookups and creates against scimd
 * with SCIMD_REQUEST_LOG=off and =all, in the same run, on the same seeded SQLite database, each
 * pair measured twice, alternating, so that drift on a shared machine hits both sides alike.
 * Prints req/s, p50/p99 and the server's CPU µs per request (from /proc) for each.
 *
 * Environment: BENCH_USERS (100000), BENCH_SECONDS per measurement (8).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startScimd } from './scimd-process.ts';
import { ENTERPRISE, seed, userNameOf } from './seed.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = 32;
const TOKEN = 'bench-token-0123456789abcdef';

function cpuSeconds(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Measure {
  rps: number;
  cpuUs: number | undefined;
  p50: number;
  p99: number;
  errors: number;
}

let created = 0;
const createBody = () =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: `new${created}.${process.pid}.${++created}@bench.example.com`,
    name: { givenName: 'New', familyName: 'User' },
    emails: [{ value: `new${created}@bench.example.com`, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { department: 'Bench' },
  });

async function measure(server: ChildProcess, url: string, kind: 'lookup' | 'create', seconds = SECONDS): Promise<Measure> {
  const before = cpuSeconds(server);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    requests: [
      {
        setupRequest: (request) =>
          kind === 'lookup'
            ? {
                ...request,
                method: 'GET',
                path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userNameOf(Math.floor(Math.random() * USERS))}"`)}`,
              }
            : { ...request, method: 'POST', path: '/scim/v2/Users', body: createBody() },
      },
    ],
  });
  const after = cpuSeconds(server);
  return {
    rps: Math.round(result.requests.average),
    cpuUs: before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-log-'));
  const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
  console.log(`request log bench: seeding ${USERS} users …`);
  await seed(databaseUrl, USERS, 10, TOKEN);
  const port = 18090;
  const results: Record<string, Measure[]> = {};
  try {
    for (let round = 0; round < 2; round++) {
      for (const mode of ['off', 'all'] as const) {
        const server = await startScimd({ SCIMD_DATABASE_URL: databaseUrl, SCIMD_REQUEST_LOG: mode }, port);
        const url = `http://127.0.0.1:${port}`;
        try {
          await measure(server, url, 'lookup', 2);
          for (const kind of ['lookup', 'create'] as const) (results[`${kind} ${mode}`] ??= []).push(await measure(server, url, kind));
        } finally {
          server.kill('SIGTERM');
          await new Promise((resolve) => server.once('exit', resolve));
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const mean = (ms: Measure[], key: 'rps' | 'cpuUs' | 'p50' | 'p99') => ms.reduce((n, m) => n + (m[key] ?? 0), 0) / ms.length;
  console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per measurement, two rounds alternating off/all, ${USERS} users, SQLite\n`);
  console.log('| scenario | request log | req/s | p50 ms | p99 ms | server CPU µs/req | errors | cost (CPU/req) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const kind of ['lookup', 'create'] as const) {
    const label = kind === 'lookup' ? 'userName eq lookup' : 'POST /Users (create)';
    const off = results[`${kind} off`]!;
    const on = results[`${kind} all`]!;
    for (const [mode, ms] of [
      ['off', off],
      ['all', on],
    ] as const) {
      const cost = mode === 'all' ? `${((mean(on, 'cpuUs') / mean(off, 'cpuUs') - 1) * 100).toFixed(1)}%` : '';
      console.log(
        `| ${label} | ${mode} | ${mean(ms, 'rps').toFixed(0)} | ${mean(ms, 'p50').toFixed(1)} | ${mean(ms, 'p99').toFixed(1)} | ${mean(ms, 'cpuUs').toFixed(0)} | ${ms.reduce((n, m) => n + m.errors, 0)} | ${cost} |`,
      );
    }
  }
}

await main();
