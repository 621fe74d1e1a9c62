/**
 * node --import tsx bench/bulk.ts — issue 8, Bulk performance: 1,000 user creates as one POST /Bulk
 * against 1,000 separate POST /Users over keep-alive connections, on SQLite, through a real
 * `scimd serve` process. The separate POSTs run one at a time (one connection, as a simple client
 * does) and with CONCURRENCY connections (as a client that pipelines does); the ratio is taken
 * against the faster of the two. Each round runs on a fresh database after a warm-up; the table
 * shows the median round.
 *
 * Environment: BENCH_OPERATIONS (1000), BENCH_ROUNDS (5), BENCH_CONCURRENCY (8).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SERVER_ENV, SCIMD_ENTRY } from './scimd-process.ts';

const OPERATIONS = Number(process.env['BENCH_OPERATIONS'] ?? 1000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const WARM_UP = 200;
const TOKEN = 'bench-bulk-token-0123456789';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const root = new URL('..', import.meta.url).pathname;

/** An Entra-shaped user, as bench/seed.ts and the conformance tests build them. */
function user(name: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: `${name}@bench.example.com`,
    externalId: `ext-${name}`,
    name: { givenName: `Given ${name}`, familyName: 'Family' },
    displayName: `Given ${name} Family`,
    active: true,
    emails: [
      { value: `${name}@bench.example.com`, type: 'work', primary: true },
      { value: `home.${name}@bench.example.com`, type: 'home' },
    ],
    [ENTERPRISE]: { department: 'Sales' },
  };
}

interface Scimd {
  readonly child: ChildProcess;
  readonly base: string;
  readonly dir: string;
}

/** `scimd serve` on a fresh SQLite file and a free port, resolved once it logs its URL. */
function startScimd(): Promise<Scimd> {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-bulk-'));
  const child = spawn(process.execPath, [SCIMD_ENTRY, 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      ...BENCH_SERVER_ENV,
      SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}`,
      SCIMD_PORT: '0',
      SCIMD_BOOTSTRAP_TOKEN: TOKEN,
      SCIMD_LOG_LEVEL: 'info',
    },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      const url = /"url":"([^"]+)"/.exec(output)?.[1];
      if (url) resolve({ child, base: url, dir });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`scimd exited ${code}: ${output}`)));
  });
}

async function stopScimd(scimd: Scimd): Promise<void> {
  scimd.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => scimd.child.once('exit', resolve));
  scimd.child.kill('SIGTERM');
  await exited;
  rmSync(scimd.dir, { recursive: true, force: true });
}

/** POSTs JSON over a keep-alive agent; resolves with the status and the body text. */
function post(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/scim+json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** `count` POST /Users over `connections` keep-alive connections; milliseconds. */
async function separatePosts(base: string, prefix: string, count: number, connections: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < count) {
        const i = next++;
        const { status, text } = await post(agent, `${base}/Users`, user(`${prefix}${i}`));
        if (status !== 201) throw new Error(`POST /Users answered ${status}: ${text}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return ms;
}

/** One POST /Bulk creating `count` users; milliseconds. */
async function oneBulk(base: string, prefix: string, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    Operations: Array.from({ length: count }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: user(`${prefix}${i}`) })),
  };
  const t0 = performance.now();
  const { status, text } = await post(agent, `${base}/Bulk`, body);
  const ms = performance.now() - t0;
  agent.destroy();
  if (status !== 200) throw new Error(`POST /Bulk answered ${status}: ${text.slice(0, 500)}`);
  const failed = (JSON.parse(text) as { Operations: { status: string }[] }).Operations.filter((o) => o.status !== '201');
  if (failed.length > 0) throw new Error(`POST /Bulk: ${failed.length} operations failed: ${JSON.stringify(failed[0])}`);
  return ms;
}

interface Round {
  readonly sequential: number;
  readonly concurrent: number;
  readonly bulk: number;
}

async function round(n: number): Promise<Round> {
  const scimd = await startScimd();
  try {
    // The JIT and SQLite's page cache warm up on both paths before anything is timed.
    await separatePosts(scimd.base, `warm${n}-`, WARM_UP, CONCURRENCY);
    await oneBulk(scimd.base, `warmbulk${n}-`, WARM_UP);
    // Alternate which scenario goes first, so that a growing database favours none of them.
    const scenarios: Array<[keyof Round, () => Promise<number>]> = [
      ['bulk', () => oneBulk(scimd.base, `bulk${n}-`, OPERATIONS)],
      ['sequential', () => separatePosts(scimd.base, `seq${n}-`, OPERATIONS, 1)],
      ['concurrent', () => separatePosts(scimd.base, `conc${n}-`, OPERATIONS, CONCURRENCY)],
    ];
    if (n % 2 === 1) scenarios.reverse();
    const times: Partial<Record<keyof Round, number>> = {};
    for (const [name, run] of scenarios) times[name] = await run();
    return times as Round;
  } finally {
    await stopScimd(scimd);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const opsPerSecond = (ms: number) => Math.round((OPERATIONS * 1000) / ms);

async function main() {
  console.log(`${OPERATIONS} user creates on SQLite, ${ROUNDS} rounds, median round\n`);
  const rounds: Round[] = [];
  for (let n = 0; n < ROUNDS; n++) rounds.push(await round(n));
  const sequential = median(rounds.map((r) => r.sequential));
  const concurrent = median(rounds.map((r) => r.concurrent));
  const bulk = median(rounds.map((r) => r.bulk));
  const rows: Array<[string, number]> = [
    ['separate POST /Users, 1 keep-alive connection', sequential],
    [`separate POST /Users, ${CONCURRENCY} keep-alive connections`, concurrent],
    [`one POST /Bulk with ${OPERATIONS} operations`, bulk],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`${'scenario'.padEnd(width)}  ${'total ms'.padStart(9)}  ${'ops/s'.padStart(7)}`);
  for (const [label, ms] of rows)
    console.log(`${label.padEnd(width)}  ${ms.toFixed(0).padStart(9)}  ${String(opsPerSecond(ms)).padStart(7)}`);
  const best = Math.min(sequential, concurrent);
  console.log(
    `\nbulk vs separate POSTs: ${(sequential / bulk).toFixed(2)}x (1 connection), ${(concurrent / bulk).toFixed(2)}x (${CONCURRENCY} connections)`,
  );
  console.log(`ratio against the faster separate-POST run: ${(best / bulk).toFixed(2)}x (target: at least 3x)`);
}

await main();
