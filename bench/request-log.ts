/**
 * What the request log costs (docs/console.md): `userName eq` lookups and creates against two
 * `scimd serve` instances on the same seeded database, one with SCIMD_REQUEST_LOG=off and one
 * with =all, on SQLite and PostgreSQL. Both run for the whole bench and are measured in turns,
 * off/on then on/off, for BENCH_ROUNDS rounds: on a shared machine, load that comes and goes hits
 * both sides alike, and the medians of the rounds are what is printed. For each: req/s, the
 * server's CPU µs per request (from /proc), and log-on over log-off for both (the median of the rounds' ratios).
 *
 * Environment: BENCH_USERS (20000), BENCH_SECONDS per measurement (4), BENCH_ROUNDS (5).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { median, startScimd } from './scimd-process.ts';
import { ENTERPRISE, seed, userNameOf } from './seed.ts';
import { onEachStore } from './stores.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 20_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONNECTIONS = 32;
const TOKEN = 'bench-token-0123456789abcdef';
const MODES = ['off', 'all'] as const;
const KINDS = ['lookup', 'create'] as const;
type Mode = (typeof MODES)[number];
type Kind = (typeof KINDS)[number];

function cpuSeconds(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Measure {
  readonly rps: number;
  readonly cpuUs: number;
  readonly errors: number;
}

let created = 0;
const createBody = () =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: `new${process.pid}.${++created}@bench.example.com`,
    name: { givenName: 'New', familyName: 'User' },
    emails: [{ value: `new${process.pid}.${created}@bench.example.com`, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { department: 'Bench' },
  });

async function measure(server: ChildProcess, port: number, kind: Kind, seconds: number): Promise<Measure> {
  const before = cpuSeconds(server);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
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
    rps: result.requests.total / seconds,
    cpuUs: before === undefined || after === undefined ? Number.NaN : ((after - before) * 1e6) / result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

type Figures = Record<`${Kind} ${Mode}`, Measure[]>;

async function compare(databaseUrl: string, ports: readonly [number, number]): Promise<Figures> {
  const servers = new Map<Mode, { child: ChildProcess; port: number }>();
  try {
    for (const [i, mode] of MODES.entries()) {
      const port = ports[i]!;
      servers.set(mode, { child: await startScimd({ SCIMD_DATABASE_URL: databaseUrl, SCIMD_REQUEST_LOG: mode }, port), port });
    }
    // Unmeasured: each instance compiles its hot paths before the first figure.
    for (const { child, port } of servers.values()) for (const kind of KINDS) await measure(child, port, kind, 2);
    const figures = Object.fromEntries(KINDS.flatMap((k) => MODES.map((m) => [`${k} ${m}`, [] as Measure[]]))) as Figures;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? MODES : ([...MODES].reverse() as Mode[]);
      for (const kind of KINDS) {
        for (const mode of order) {
          const { child, port } = servers.get(mode)!;
          figures[`${kind} ${mode}`].push(await measure(child, port, kind, SECONDS));
        }
      }
    }
    return figures;
  } finally {
    for (const { child } of servers.values()) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

async function main() {
  const results = await onEachStore(async (store) => {
    console.log(`request log bench, ${store.name}: seeding ${USERS} users …`);
    await seed(store.databaseUrl, USERS, 10, TOKEN);
    return compare(store.databaseUrl, [18090 + 2 * store.index, 18091 + 2 * store.index]);
  });
  console.log(
    `\n${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per measurement, log off and on in turns, ${USERS} users; medians of the rounds\n`,
  );
  console.log('| store | scenario | req/s log off | req/s log on | on/off | CPU µs/req off | CPU µs/req on | on/off | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [store, figures] of results) {
    for (const kind of KINDS) {
      const off = figures[`${kind} off`];
      const on = figures[`${kind} all`];
      const rate = (ms: Measure[]) => median(ms.map((m) => m.rps));
      const cpu = (ms: Measure[]) => median(ms.map((m) => m.cpuUs));
      // Each round's on/off, then their median: a round's two measurements ran seconds apart.
      const ratio = (key: 'rps' | 'cpuUs') => median(on.map((m, i) => m[key] / off[i]![key]));
      const errors = [...off, ...on].reduce((n, m) => n + m.errors, 0);
      console.log(
        `| ${store} | ${kind === 'lookup' ? 'userName eq lookup' : 'POST /Users'} | ${rate(off).toFixed(0)} | ${rate(on).toFixed(0)} | ${ratio('rps').toFixed(3)} | ${cpu(off).toFixed(0)} | ${cpu(on).toFixed(0)} | ${ratio('cpuUs').toFixed(3)} | ${errors} |`,
      );
    }
  }
}

await main();
