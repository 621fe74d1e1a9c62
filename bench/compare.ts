/**
 * npm run bench:compare — this checkout against another build in one run (docs/performance.md,
 * "Against 3e74af5"): for before/after figures of a change, on a machine where other work moves
 * requests per second by a third from one minute to the next.
 *
 * Each checkout seeds a SQLite file of its own with its own bench/seed.ts (its own migrations),
 * and serves it with its own dist/scimd.mjs (build it first: `node scripts/build.mjs` there). The
 * scenarios are measured in turns, the order reversed every round, with autocannon at 32
 * connections; for each, requests per second and the CPU that the server's main thread spent per
 * request (from /proc: the event loop is what a request waits for, and CPU time moves less with
 * the machine's other load than the rate does). The reading scenarios' rounds all run before the
 * writing ones' (create, patch), so that both builds' reads are measured on databases of one size.
 * The medians of the rounds and after/before of the main thread's CPU are printed last.
 *
 * Environment: BENCH_BEFORE (required: the other checkout's directory), BENCH_SCENARIOS
 * (lookup,get,create,patch,page; also group: GET /Groups/{id}?excludedAttributes=members,
 * resourceType: GET /ResourceTypes/User, `npm run bench`'s authenticated request without the database, and
 * externalId and emails: `npm run bench`'s `externalId eq` and `emails[type eq "work" and value eq …]`),
 * BENCH_USERS (20000), BENCH_SECONDS (5), BENCH_ROUNDS (6),
 * BENCH_CONNECTIONS (32; issue 20's write targets are stated for 16),
 * SCIMD_REQUEST_LOG for both servers (off: the default measures what the change did, not the log).
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, mainThreadCpuSeconds, median, startScimd } from './scimd-process.ts';
import { externalIdOf, filterPath, newUserBody, patchUserBody, type Seeded, userNameOf, workEmailOf } from './seed.ts';

const BEFORE = process.env['BENCH_BEFORE'];
const SCENARIOS = (process.env['BENCH_SCENARIOS'] ?? 'lookup,get,create,patch,page').split(',');
const USERS = Number(process.env['BENCH_USERS'] ?? 20_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
const LOG = process.env['SCIMD_REQUEST_LOG'] ?? 'off';
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const TOKEN = 'bench-token-0123456789abcdef';
const here = new URL('..', import.meta.url).pathname;

interface Side {
  readonly name: 'before' | 'after';
  readonly checkout: string;
  readonly port: number;
  readonly seeded: Seeded;
  readonly server: ChildProcess;
}

/** The checkout's own seed (bench/seed.ts), in a process of its own started there. */
function seedWith(checkout: string, databaseUrl: string): Seeded {
  const code = `const { seed } = await import(${JSON.stringify(join(checkout, 'bench/seed.ts'))});
    const seeded = await seed(${JSON.stringify(databaseUrl)}, ${USERS}, 10, ${JSON.stringify(TOKEN)});
    process.stdout.write(JSON.stringify(seeded));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: checkout, maxBuffer: 1 << 26 });
  return JSON.parse(out.toString().slice(out.indexOf('{')));
}

let sent = 0;

function requestOf(scenario: string, seeded: Seeded): { method: 'GET' | 'POST' | 'PATCH'; path: string; body?: string } {
  const ids = seeded.userIds;
  const anyId = () => ids[Math.floor(Math.random() * ids.length)]!;
  switch (scenario) {
    case 'lookup':
      return { method: 'GET', path: filterPath(`userName eq "${userNameOf(Math.floor(Math.random() * USERS))}"`) };
    case 'get':
      return { method: 'GET', path: `/scim/v2/Users/${anyId()}` };
    case 'create':
      return { method: 'POST', path: '/scim/v2/Users', body: newUserBody(++sent) };
    case 'patch':
      return { method: 'PATCH', path: `/scim/v2/Users/${anyId()}`, body: patchUserBody(++sent) };
    case 'externalId':
      return { method: 'GET', path: filterPath(`externalId eq "${externalIdOf(Math.floor(Math.random() * USERS))}"`) };
    case 'emails':
      return { method: 'GET', path: filterPath(`emails[type eq "work" and value eq "${workEmailOf(Math.floor(Math.random() * USERS))}"]`) };
    case 'group':
      return { method: 'GET', path: `/scim/v2/Groups/${seeded.emptyGroupId}?excludedAttributes=members` };
    case 'resourceType':
      return { method: 'GET', path: '/scim/v2/ResourceTypes/User' };
    case 'page':
      return { method: 'GET', path: `/scim/v2/Users?startIndex=${1 + Math.floor(Math.random() * (USERS - 100))}&count=100` };
    default:
      throw new Error(`unknown scenario ${scenario}: lookup, externalId, emails, get, group, resourceType, create, patch or page`);
  }
}

interface Measure {
  readonly rps: number;
  readonly mainUs: number;
  readonly processUs: number;
  readonly errors: number;
}

async function measure(side: Side, scenario: string, seconds: number): Promise<Measure> {
  const before = { main: mainThreadCpuSeconds(side.server), all: cpuSeconds(side.server) };
  const result = await autocannon({
    url: `http://127.0.0.1:${side.port}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    requests: [{ setupRequest: (request) => ({ ...request, ...requestOf(scenario, side.seeded) }) }],
  });
  const after = { main: mainThreadCpuSeconds(side.server), all: cpuSeconds(side.server) };
  const n = result.requests.total;
  return {
    rps: n / seconds,
    mainUs: ((after.main - before.main) * 1e6) / n,
    processUs: ((after.all - before.all) * 1e6) / n,
    errors: result.errors + result.non2xx,
  };
}

async function main() {
  if (!BEFORE) throw new Error('BENCH_BEFORE must name the checkout to compare with (its dist/ built)');
  const dir = mkdtempSync(join(tmpdir(), 'scimd-compare-'));
  const sides: Side[] = [];
  try {
    for (const [i, [name, checkout]] of (
      [
        ['before', resolve(BEFORE)],
        ['after', here],
      ] as const
    ).entries()) {
      const databaseUrl = `sqlite:${join(dir, `${name}.db`)}`;
      console.log(`${name} (${checkout}): seeding ${USERS} users …`);
      const seeded = seedWith(checkout, databaseUrl);
      const port = 18470 + i;
      const server = await startScimd({ SCIMD_DATABASE_URL: databaseUrl, SCIMD_REQUEST_LOG: LOG }, port, checkout);
      sides.push({ name, checkout, port, seeded, server });
    }
    // The reading scenarios' rounds come first: a build that creates faster grows its database
    // faster, and reads measured after its writes would be measured on a bigger file.
    const writing = new Set(['create', 'patch']);
    const phases = [SCENARIOS.filter((s) => !writing.has(s)), SCENARIOS.filter((s) => writing.has(s))];
    const figures = new Map<string, Measure[]>();
    for (const scenarios of phases) {
      // Unmeasured: each server compiles its hot paths first.
      for (const side of sides) for (const scenario of scenarios) await measure(side, scenario, 2);
      for (let round = 0; round < ROUNDS; round++) {
        for (const scenario of scenarios) {
          for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
            const m = await measure(side, scenario, SECONDS);
            console.log(`round ${round + 1} ${scenario} ${side.name}: ${m.rps.toFixed(0)} req/s, main ${m.mainUs.toFixed(0)} µs`);
            const key = `${scenario} ${side.name}`;
            figures.set(key, [...(figures.get(key) ?? []), m]);
          }
        }
      }
    }
    console.log(
      `\n${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s, ${USERS} users, request log ${LOG}; medians of the rounds (main-thread CPU µs: min)\n`,
    );
    console.log(
      '| scenario | req/s before | req/s after | main µs before | main µs after | after / before (main µs) | process µs before | process µs after | errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const scenario of SCENARIOS) {
      const b = figures.get(`${scenario} before`)!;
      const a = figures.get(`${scenario} after`)!;
      const of = (ms: Measure[], key: keyof Measure) => median(ms.map((m) => m[key]));
      const min = (ms: Measure[]) => Math.min(...ms.map((m) => m.mainUs));
      console.log(
        `| ${scenario} | ${of(b, 'rps').toFixed(0)} | ${of(a, 'rps').toFixed(0)} | ${of(b, 'mainUs').toFixed(0)} (${min(b).toFixed(0)}) | ${of(a, 'mainUs').toFixed(0)} (${min(a).toFixed(0)}) | ${(of(a, 'mainUs') / of(b, 'mainUs')).toFixed(3)} | ${of(b, 'processUs').toFixed(0)} | ${of(a, 'processUs').toFixed(0)} | ${[...a, ...b].reduce((n, m) => n + m.errors, 0)} |`,
      );
    }
  } finally {
    for (const { server } of sides) {
      server.kill('SIGTERM');
      await new Promise((done) => server.once('exit', done));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
