/**
 * What one write costs the server, in process (issue 20): scimd's app on a copy of a database
 * seeded through the store (bench/seed.ts), driven by Fastify's `inject` `BENCH_CONCURRENCY` (16)
 * requests at a time, without sockets or a load generator, so that the figures depend little on
 * what else the machine runs. Prints, per request, the process's CPU (process.cpuUsage) and the
 * main thread's (/proc/self/task/<pid>/stat), for creates and PATCHes (replace active and title,
 * as bench/writes.ts sends them).
 *
 * Environment: BENCH_USERS (10000), BENCH_REQUESTS per round (8000), BENCH_WARMUP (2000),
 * BENCH_ROUNDS (2), BENCH_KIND (patch,create; also get, lookup), BENCH_DB (a seeded file to reuse: seeded there when
 * missing, copied before each run), SCIMD_* as for serve (the access log is off, as in the benchmarks).
 * Bundle it (esbuild) to profile it: tsx compiles every function with keepNames.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { createServer } from '../src/server.ts';
import { newUserBody, patchUserBody, seededSqliteFile } from './seed.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 10_000);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 8_000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const KINDS = (process.env['BENCH_KIND'] ?? 'patch,create').split(',');
const TOKEN = 'bench-write-cpu-token-0123456789abcdef';

async function seed(file: string): Promise<void> {
  writeFileSync(`${file}.ids`, (await seededSqliteFile(file, USERS, TOKEN)).join('\n'));
}

/**
 * `perf record --control=fifo:CTL,ACK -D -1`: PERF_CTL=CTL,ACK has perf sample the measured rounds
 * only, not the start, the seeding or the warm-up.
 */
function perfControl(command: 'enable' | 'disable'): void {
  const fifos = process.env['PERF_CTL']?.split(',');
  if (!fifos) return;
  const ctl = openSync(fifos[0]!, 'w');
  writeSync(ctl, `${command}\n`);
  const ack = openSync(fifos[1]!, 'r');
  readSync(ack, Buffer.alloc(5));
  closeSync(ctl);
  closeSync(ack);
}

function mainThreadSeconds(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Build = (n: number) => { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: string };

/** Reads beside the writes, to see that a change for the writes costs the reads nothing. */
const getOf =
  (ids: readonly string[]): Build =>
  () => ({ method: 'GET', url: `/scim/v2/Users/${ids[Math.floor(Math.random() * ids.length)]}` });

const lookupOf =
  (ids: readonly string[]): Build =>
  () => {
    const i = Math.floor(Math.random() * ids.length);
    return { method: 'GET', url: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "user${i}@bench.example.com"`)}` };
  };

const patchOf =
  (ids: readonly string[]): Build =>
  (n) => ({
    method: 'PATCH',
    url: `/scim/v2/Users/${ids[Math.floor(Math.random() * ids.length)]}`,
    payload: patchUserBody(n),
  });

const createOf: Build = (n) => ({ method: 'POST', url: '/scim/v2/Users', payload: newUserBody(n) });

async function main() {
  const template = process.env['BENCH_DB'] ?? join(tmpdir(), `scimd-write-cpu-${USERS}.db`);
  if (!existsSync(template) || !existsSync(`${template}.ids`)) await seed(template);
  const ids = readFileSync(`${template}.ids`, 'utf8').split('\n');
  const file = `${template}.run`;
  // A run that was killed leaves its log behind, which SQLite would apply to the new copy.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  copyFileSync(template, file);
  // Written back now, not by the first checkpoint inside the measurement (bench/writes.ts).
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  const config = loadConfig({
    ...process.env,
    SCIMD_DATABASE_URL: `sqlite:${file}`,
    SCIMD_RATE_LIMIT_TENANT: '0',
    SCIMD_RATE_LIMIT_TOKEN: '0',
    SCIMD_ACCESS_LOG: process.env['SCIMD_ACCESS_LOG'] ?? 'off',
    SCIMD_RELAY: 'off',
  });
  const server = await createServer(config, { logger: false });
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
  let n = 0;
  let failures = 0;
  const run = async (count: number, build: Build) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) {
        const r = await server.app.inject({ ...build(n++), headers });
        if (r.statusCode >= 300) failures++ === 0 && console.error(r.statusCode, r.body);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  try {
    for (const kind of KINDS) {
      const build = { create: createOf, get: getOf(ids), lookup: lookupOf(ids) }[kind] ?? patchOf(ids);
      await run(WARMUP, build);
      for (let round = 1; round <= ROUNDS; round++) {
        const cpu0 = process.cpuUsage();
        const main0 = mainThreadSeconds();
        const t0 = performance.now();
        perfControl('enable');
        await run(REQUESTS, build);
        perfControl('disable');
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        const perReq = (us: number) => (us / REQUESTS).toFixed(0);
        console.log(
          `${kind} ${USERS} users round ${round}: process ${perReq(cpu.user + cpu.system)} µs/req (user ${perReq(cpu.user)}, system ${perReq(cpu.system)}), main thread ${perReq((mainThreadSeconds() - main0) * 1e6)} µs/req, ${((REQUESTS / wall) * 1000).toFixed(0)} req/s wall${failures ? `, ${failures} failures` : ''}`,
        );
      }
    }
  } finally {
    await server.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}

await main();
