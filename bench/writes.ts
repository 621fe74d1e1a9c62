/**
 * npm run bench (writes) — creates and PATCHes on SQLite (issue 20, group commit): one `scimd
 * serve`, 16 clients, a tenant seeded in bulk through the store to each size, then
 *   - POST /Users, an Entra-shaped user (enterprise extension, two emails), each a new userName;
 *   - PATCH /Users/{id} of a random seeded user (replace active and title, as Entra does).
 * Printed beside a bare Fastify route in the same run: req/s, p50, p99 and the server's CPU per
 * request. Targets: creates and PATCHes at least 3× the ~1,100/s of before group commit, p99
 * under 50 ms, PATCH at 100,000 users within 20% of PATCH at 10,000.
 *
 * Every size is seeded first; each round then measures every size (and build) in turn, so that
 * the ratios the targets name (100,000 against 10,000 users; this build against the baseline)
 * compare measurements minutes, not a whole run, apart. It prints the medians of the rounds and
 * those ratios, median and range over the rounds.
 *
 * BENCH_BASELINE=<another checkout> runs that checkout's bundle as well, alternating with this
 * one on copies of the same seeded database: a before/after in one run.
 *
 * Environment: BENCH_WRITES_USERS (10000,100000), BENCH_SECONDS per scenario (10), BENCH_ROUNDS
 * (3; with a baseline, A,B,A,B … per round), BENCH_BASELINE.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, median, startScimd } from './scimd-process.ts';
import { newUserBody, patchUserBody, seededSqliteFile } from './seed.ts';

const SIZES = (process.env['BENCH_WRITES_USERS'] ?? '10000,100000').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BASELINE = process.env['BENCH_BASELINE'];
const CONNECTIONS = 16;
const TOKEN = 'bench-writes-token-0123456789abcdef';
const root = new URL('..', import.meta.url).pathname;

interface Row {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  readonly errors: number;
}

interface Request {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly body?: string;
}

async function load(server: ChildProcess, url: string, seconds: number, request: () => Request): Promise<Row> {
  const before = cpuSeconds(server);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    requests: [{ setupRequest: (r) => ({ ...r, ...request() }) }],
  });
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs: ((cpuSeconds(server) - before) * 1e6) / result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

/** An Entra-shaped create, a userName no seeded user has. */
function createUser(n: number): Request {
  return { method: 'POST', path: '/scim/v2/Users', body: newUserBody(n) };
}

function patchUser(id: string, n: number): Request {
  return { method: 'PATCH', path: `/scim/v2/Users/${id}`, body: patchUserBody(n) };
}

async function measure(checkout: string, file: string, port: number, ids: readonly string[]): Promise<[Row, Row]> {
  const scimd = await startScimd({ SCIMD_DATABASE_URL: `sqlite:${file}` }, port, checkout);
  const url = `http://127.0.0.1:${port}`;
  let n = 0;
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  try {
    // JIT and page cache warm for both kinds of write, so that neither pays for the other's start.
    await load(scimd, url, 2, () => createUser(n++));
    await load(scimd, url, 2, () => patchUser(pick(), n++));
    return [await load(scimd, url, SECONDS, () => createUser(n++)), await load(scimd, url, SECONDS, () => patchUser(pick(), n++))];
  } finally {
    scimd.kill('SIGTERM');
    await new Promise((resolve) => scimd.once('exit', resolve));
  }
}

function startBare(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port) },
    });
    child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve(child));
    child.on('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
}

async function main() {
  if (BASELINE) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: BASELINE, stdio: 'inherit' });
  const builds = BASELINE ? [`this checkout`, `baseline ${BASELINE}`] : ['this checkout'];
  const checkouts = BASELINE ? [root, BASELINE] : [root];
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-writes-'));
  const lines: string[] = [];
  const rounds: Measured[] = [];
  const cell = (r: Row) => `${r.rps}${r.errors ? ` (${r.errors} errors)` : ''} | ${r.p50} / ${r.p99} | ${r.cpuUs.toFixed(0)}`;
  try {
    const bare = await startBare(18121);
    try {
      await load(bare, 'http://127.0.0.1:18121', 2, () => ({ method: 'GET', path: '/bare' }));
      const yardstick = await load(bare, 'http://127.0.0.1:18121', SECONDS, () => ({ method: 'GET', path: '/bare' }));
      lines.push(`| bare Fastify route (GET, fixed JSON) | ${cell(yardstick)} | – | – | – |`);
    } finally {
      bare.kill('SIGTERM');
    }
    const seeded = new Map<number, { template: string; ids: string[] }>();
    for (const users of SIZES) {
      const template = join(dir, `seed-${users}.db`);
      const t0 = performance.now();
      seeded.set(users, { template, ids: await seededSqliteFile(template, users, TOKEN) });
      console.log(`seeded ${users} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const users of SIZES) {
        const { template, ids } = seeded.get(users)!;
        for (const [b, checkout] of checkouts.entries()) {
          const file = join(dir, `run-${users}-${round}-${b}.db`);
          copyFileSync(template, file);
          // Written back before the server starts, as bench:scale does: otherwise the copy (150 MB at
          // 100,000 users) sits dirty in the page cache, and the first checkpoint's fsync writes all
          // of it back inside the measurement, the disk busy under the WAL's own syncs meanwhile.
          const fd = openSync(file, 'r+');
          fsyncSync(fd);
          closeSync(fd);
          const [create, patch] = await measure(checkout, file, 18120, ids);
          rounds.push({ users, build: b, create, patch });
          lines.push(`| ${users} users, ${builds[b]}${ROUNDS > 1 ? `, round ${round}` : ''} | ${cell(create)} | ${cell(patch)} |`);
          console.log(lines.at(-1));
          rmSync(file, { force: true });
          rmSync(`${file}-wal`, { force: true });
          rmSync(`${file}-shm`, { force: true });
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nSQLite writes, ${CONNECTIONS} connections, ${SECONDS} s per scenario\n`);
  console.log('| | POST /Users req/s | p50 / p99 ms | CPU µs/req | PATCH /Users/{id} req/s | p50 / p99 ms | CPU µs/req |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const line of lines) console.log(line);
  printRatios(rounds, builds);
}

interface Measured {
  readonly users: number;
  /** Index into the builds: 0 this checkout, 1 the baseline. */
  readonly build: number;
  readonly create: Row;
  readonly patch: Row;
}

/** `median (lowest–highest)` of per-round ratios. */
function spread(ratios: readonly number[]): string {
  return `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
}

/**
 * The medians of the rounds, then the ratios the targets are stated in (this checkout at each size
 * against the first size; this checkout against the baseline), each computed within one round,
 * where its two measurements were minutes apart, and then summarised over the rounds.
 */
function printRatios(rounds: readonly Measured[], builds: readonly string[]): void {
  const of = (users: number, build: number) => rounds.filter((r) => r.users === users && r.build === build);
  const kinds = ['create', 'patch'] as const;
  console.log(`\nmedians of ${ROUNDS} rounds, req/s (p99 ms)\n`);
  console.log('| | POST /Users | PATCH /Users/{id} |');
  console.log('|---|---:|---:|');
  for (const users of SIZES) {
    for (const b of builds.keys()) {
      const cells = kinds.map((kind) => {
        const rows = of(users, b).map((r) => r[kind]);
        return `${median(rows.map((r) => r.rps)).toFixed(0)} (${median(rows.map((r) => r.p99)).toFixed(0)})`;
      });
      console.log(`| ${users} users, ${builds[b]} | ${cells.join(' | ')} |`);
    }
  }
  console.log('\nratios of req/s within each round: median (lowest–highest)\n');
  console.log('| | POST /Users | PATCH /Users/{id} |');
  console.log('|---|---:|---:|');
  const ratio = (label: string, top: readonly Measured[], bottom: readonly Measured[]) => {
    const cells = kinds.map((kind) => spread(top.map((r, i) => r[kind].rps / bottom[i]![kind].rps)));
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  };
  const first = SIZES[0]!;
  for (const users of SIZES.slice(1)) ratio(`${users} against ${first} users, this checkout`, of(users, 0), of(first, 0));
  if (builds.length > 1) for (const users of SIZES) ratio(`this checkout against the baseline, ${users} users`, of(users, 0), of(users, 1));
}

await main();
