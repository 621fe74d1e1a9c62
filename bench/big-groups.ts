/**
 * npm run bench (big groups) — GET /Groups/{id} of a group whose members are every user of the
 * tenant, at 10,000 and 100,000 members (issue 20): latency of one client (p50, p99, time to the
 * first byte), the server's CPU per GET, the same with `attributes=members.value`, then 16 clients
 * at once and how far the server's resident memory grew while serving them. Beside it, in the same
 * run, a bare Fastify route sending a fixed JSON text of the same size: the cost of the bytes alone.
 *
 * Environment: BENCH_GROUP_SIZES (10000,100000), BENCH_GROUP_GETS sequential GETs per row (20),
 * BENCH_GROUP_ROUNDS of 16 concurrent GETs (3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, startScimd } from './scimd-process.ts';
import { seed } from './seed.ts';

const SIZES = (process.env['BENCH_GROUP_SIZES'] ?? '10000,100000').split(',').map(Number);
const GETS = Number(process.env['BENCH_GROUP_GETS'] ?? 20);
const ROUNDS = Number(process.env['BENCH_GROUP_ROUNDS'] ?? 3);
const CONCURRENT = 16;
const TOKEN = 'bench-token-0123456789abcdef';
const root = new URL('..', import.meta.url).pathname;

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

/** From /proc (Linux only): resident memory in MB of a process. */
function rssMb(child: ChildProcess): number {
  const line = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return Number(line?.[1] ?? 0) / 1024;
}

interface Timing {
  readonly ms: number;
  readonly firstByteMs: number;
  readonly bytes: number;
}

async function timedGet(url: string): Promise<Timing> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  const reader = res.body!.getReader();
  let firstByteMs = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += value.byteLength;
  }
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return { ms: performance.now() - t0, firstByteMs, bytes };
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

interface Row {
  readonly scenario: string;
  readonly p50: number;
  readonly p99: number;
  readonly firstByte: number;
  readonly cpuMs: number;
  readonly kb: number;
}

async function sequential(scenario: string, server: ChildProcess, url: string): Promise<Row> {
  await timedGet(url);
  const cpu0 = cpuSeconds(server);
  const timings: Timing[] = [];
  for (let i = 0; i < GETS; i++) timings.push(await timedGet(url));
  const cpuMs = ((cpuSeconds(server) - cpu0) * 1000) / GETS;
  const ms = timings.map((t) => t.ms);
  return {
    scenario,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    firstByte: quantile(
      timings.map((t) => t.firstByteMs),
      0.5,
    ),
    cpuMs,
    kb: timings[0]!.bytes / 1024,
  };
}

/** 16 clients at once, ROUNDS GETs each: p50 latency, GETs/s and the peak growth of the server's RSS. */
async function concurrent(server: ChildProcess, url: string) {
  const before = rssMb(server);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server))), 20);
  const t0 = performance.now();
  const ms: number[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      for (let i = 0; i < ROUNDS; i++) ms.push((await timedGet(url)).ms);
    }),
  );
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(server));
  return { p50: quantile(ms, 0.5), perSecond: ms.length / ((performance.now() - t0) / 1000), before, growth: peak - before };
}

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

async function main() {
  const bare = await startBare(18091);
  try {
    for (const size of SIZES) {
      const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-'));
      const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
      try {
        const t0 = performance.now();
        const seeded = await seed(databaseUrl, size, 0, TOKEN);
        console.log(`seeded ${size} users and their group in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const port = 18090;
        const scimd = await startScimd({ SCIMD_DATABASE_URL: databaseUrl }, port);
        try {
          const group = `http://127.0.0.1:${port}/scim/v2/Groups/${seeded.bigGroupId}`;
          const rows = [
            await sequential(`GET group of ${size} members`, scimd, group),
            await sequential(`GET group of ${size} members, attributes=members.value`, scimd, `${group}?attributes=members.value`),
          ];
          const full = rows[0]!;
          rows.unshift(
            await sequential(
              `bare Fastify route, a fixed ${f(full.kb)} KB JSON`,
              bare,
              `http://127.0.0.1:18091/bare-bytes?bytes=${Math.round(full.kb * 1024)}`,
            ),
          );
          const load = await concurrent(scimd, group);
          console.log(`\n${size} members, SQLite, one client, ${GETS} GETs a row\n`);
          console.log('| scenario | p50 ms | p99 ms | first byte p50 ms | server CPU ms/GET | KB |');
          console.log('|---|---:|---:|---:|---:|---:|');
          for (const r of rows)
            console.log(`| ${r.scenario} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.firstByte)} | ${f(r.cpuMs)} | ${f(r.kb)} |`);
          console.log(
            `\n${CONCURRENT} clients at once, ${ROUNDS} GETs each: p50 ${f(load.p50)} ms, ${f(load.perSecond)} GETs/s, ` +
              `server RSS ${f(load.before)} MB before, grew by ${f(load.growth)} MB at most\n`,
          );
        } finally {
          scimd.kill('SIGTERM');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    bare.kill('SIGTERM');
  }
}

await main();
