/**
 * What POST /auth/verify costs (docs/password-sync.md): 16 concurrent checks against scimd on
 * SQLite at the default scrypt cost (N 16384, r 8, p 1), for a right password, a wrong password
 * of a known user and an unknown user; p50/p99, checks/s and the server's CPU ms per check. Then
 * the timing comparison one check at a time: known-user wrong password against unknown user,
 * interleaved, medians and the Mann–Whitney p.
 *
 * Environment: BENCH_SECONDS per measurement (5), BENCH_SAMPLES for the comparison (100).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SCIMD_ENTRY, startScimd } from './scimd-process.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 100);
const CONNECTIONS = 16;
const USERS = 100;
const SCIM_TOKEN = 'bench-token-0123456789abcdef';
const PASSWORD = (i: number) => `Bench-Pa55word-${i}`;
const root = new URL('..', import.meta.url).pathname;

function cpuSeconds(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

type Scenario = 'right password' | 'wrong password' | 'unknown user';

function body(scenario: Scenario): string {
  const i = Math.floor(Math.random() * USERS);
  if (scenario === 'unknown user') return JSON.stringify({ userName: `nobody${Math.random()}@bench.example.com`, password: PASSWORD(i) });
  return JSON.stringify({
    userName: `verify${i}@bench.example.com`,
    password: scenario === 'right password' ? PASSWORD(i) : `${PASSWORD(i)}x`,
  });
}

async function measure(server: ChildProcess, url: string, token: string, scenario: Scenario, seconds = SECONDS) {
  const before = cpuSeconds(server);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, method: 'POST', path: '/auth/verify', body: body(scenario) }) }],
  });
  const after = cpuSeconds(server);
  // Checks autocannon gave up on at the end are still hashing: wait for them (one check more
  // queues behind them on the thread pool), or they would count against the next scenario.
  await (
    await fetch(`${url}/auth/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body(scenario),
    })
  ).arrayBuffer();
  const expected = scenario === 'right password' ? '200' : '401';
  const answered = (result.statusCodeStats as Record<string, { count: number }> | undefined)?.[expected]?.count ?? 0;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: before === undefined || after === undefined ? undefined : ((after - before) * 1000) / result.requests.total,
    unexpected: result.errors + result.requests.total - answered,
  };
}

/** Two-sided p of Mann–Whitney U, normal approximation (as in test/conformance/password-verify.test.ts). */
function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const ranked = [...a.map((x) => ({ x, a: true })), ...b.map((x) => ({ x, a: false }))].sort((p, q) => p.x - q.x);
  const rankSum = ranked.reduce((sum, r, i) => sum + (r.a ? i + 1 : 0), 0);
  const u = rankSum - (a.length * (a.length + 1)) / 2;
  const z = Math.abs(u - (a.length * b.length) / 2) / Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12);
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  return t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
}

/** A port nothing listens on now (another bench may hold a fixed one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const median = (xs: readonly number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-verify-'));
  const env = {
    SCIMD_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    SCIMD_BOOTSTRAP_TOKEN: SCIM_TOKEN,
    SCIMD_RATE_LIMIT_VERIFY: '0',
    SCIMD_VERIFY_LOCKOUT_THRESHOLD: '1000',
  };
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startScimd(env, port);
  try {
    for (let i = 0; i < USERS; i++) {
      const created = await fetch(`${url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `verify${i}@bench.example.com`,
          password: PASSWORD(i),
          active: true,
        }),
      });
      if (created.status !== 201) throw new Error(`create: ${created.status} ${await created.text()}`);
    }
    const minted = execFileSync(process.execPath, [SCIMD_ENTRY, 'verify-tokens', 'create', '--tenant', 'default', '--json'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    const token = (JSON.parse(minted) as { token: string }).token;
    await measure(server, url, token, 'right password', 2);
    const rows: string[] = [];
    for (const scenario of ['right password', 'wrong password', 'unknown user'] as const) {
      const m = await measure(server, url, token, scenario);
      rows.push(
        `| ${scenario} | ${m.rps.toFixed(0)} | ${m.p50.toFixed(0)} | ${m.p99.toFixed(0)} | ${m.cpuMs?.toFixed(1) ?? '?'} | ${m.unexpected} |`,
      );
    }
    console.log(`\nPOST /auth/verify, ${CONNECTIONS} concurrent checks, ${SECONDS} s each, SQLite, scrypt N 16384 r 8 p 1\n`);
    console.log('| check | checks/s | p50 ms | p99 ms | server CPU ms/check | unexpected answers |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const row of rows) console.log(row);

    const known: number[] = [];
    const unknown: number[] = [];
    const timed = async (scenario: Scenario, into: number[]) => {
      const start = process.hrtime.bigint();
      const reply = await fetch(`${url}/auth/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body(scenario),
      });
      await reply.arrayBuffer();
      into.push(Number(process.hrtime.bigint() - start) / 1e6);
    };
    for (let i = 0; i < SAMPLES; i++) {
      const pair = [() => timed('wrong password', known), () => timed('unknown user', unknown)];
      if (Math.random() < 0.5) pair.reverse();
      for (const step of pair) await step();
    }
    console.log(
      `\none check at a time, ${SAMPLES} interleaved pairs: wrong password of a known user median ${median(known).toFixed(2)} ms, unknown user median ${median(unknown).toFixed(2)} ms, Mann–Whitney p = ${mannWhitneyP(known, unknown).toFixed(3)}`,
    );
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
