/**
 * npm run bench — query throughput and latency on SQLite with 100,000 Entra-shaped users and
 * 1,000 groups (issue: query in SQL). Seeds its own database, runs scimd and a bare Fastify
 * route as child processes, drives them with autocannon at 32 connections, and prints a table.
 *
 * Environment: BENCH_USERS (100000), BENCH_GROUPS (1000), BENCH_SECONDS per scenario (10).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { BENCH_SERVER_ENV, SCIMD_ENTRY } from './scimd-process.ts';
import { externalIdOf, filterPath, seed, userNameOf, workEmailOf } from './seed.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 32;
const TOKEN = 'bench-token-0123456789abcdef';
const root = new URL('..', import.meta.url).pathname;

function start(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${output}`)));
  });
}

/**
 * CPU seconds a child process has used (user + system, from /proc; Linux only, else undefined):
 * the cost per request on a machine shared with other work, where req/s alone is noise.
 */
function cpuSeconds(child: ChildProcess): number | undefined {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Row {
  readonly scenario: string;
  readonly rps: number;
  /** Server CPU µs per request (undefined where /proc is not available). */
  readonly cpuUs: number | undefined;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

async function load(scenario: string, server: ChildProcess, url: string, path: (i: number) => string, seconds = SECONDS): Promise<Row> {
  const cpuBefore = cpuSeconds(server);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${TOKEN}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, path: path(Math.floor(Math.random() * USERS)) }),
      },
    ],
  });
  const cpuAfter = cpuSeconds(server);
  return {
    scenario,
    rps: Math.round(result.requests.average),
    cpuUs: cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1e6) / result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function cursorWalk(base: string): Promise<{ pages: number; seconds: number; deciles: number[] }> {
  const times: number[] = [];
  let cursor = '';
  let seen = 0;
  const ids = new Set<string>();
  const started = performance.now();
  for (;;) {
    const t0 = performance.now();
    const res = await fetch(`${base}/scim/v2/Users?count=100&attributes=userName&cursor=${encodeURIComponent(cursor)}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const body = (await res.json()) as { Resources: { id: string }[]; nextCursor?: string };
    times.push(performance.now() - t0);
    for (const r of body.Resources) ids.add(r.id);
    seen += body.Resources.length;
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  if (ids.size !== seen || seen !== USERS) throw new Error(`cursor walk saw ${seen} rows, ${ids.size} distinct, expected ${USERS}`);
  const tenth = Math.ceil(times.length / 10);
  const deciles = Array.from({ length: 10 }, (_, d) => times.slice(d * tenth, (d + 1) * tenth).reduce((a, b) => a + b, 0));
  return { pages: times.length, seconds: (performance.now() - started) / 1000, deciles };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-'));
  const databaseUrl = `sqlite:${join(dir, 'bench.db')}`;
  console.log(`seeding ${USERS} users and ${GROUPS} groups into ${databaseUrl} …`);
  const t0 = performance.now();
  const seeded = await seed(databaseUrl, USERS, GROUPS, TOKEN);
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const scimPort = 18080;
  const barePort = 18081;
  const scimd = await start(
    [SCIMD_ENTRY, 'serve'],
    { ...BENCH_SERVER_ENV, SCIMD_DATABASE_URL: databaseUrl, SCIMD_PORT: String(scimPort), SCIMD_LOG_LEVEL: 'info' },
    'scimd is serving',
  );
  const bare = await start(['--import', 'tsx', 'bench/bare-server.ts'], { PORT: String(barePort) }, 'listening');
  const scimUrl = `http://127.0.0.1:${scimPort}`;
  try {
    // Warm both processes up (JIT, page cache) so that the first scenario is not penalised.
    await load('warm-up', scimd, scimUrl, (i) => filterPath(`userName eq "${userNameOf(i)}"`), 3);
    await load('warm-up', bare, `http://127.0.0.1:${barePort}`, () => '/bare', 3);
    const rows: Row[] = [];
    rows.push(await load('bare Fastify route (fixed JSON)', bare, `http://127.0.0.1:${barePort}`, () => '/bare'));
    // scimd's own floor: authentication, hooks and a 1 KB answer, no database (docs/performance.md).
    rows.push(
      await load('scimd GET /ResourceTypes/User (authenticated, no database)', scimd, scimUrl, () => '/scim/v2/ResourceTypes/User'),
    );
    rows.push(await load('userName eq', scimd, scimUrl, (i) => filterPath(`userName eq "${userNameOf(i)}"`)));
    rows.push(await load('externalId eq', scimd, scimUrl, (i) => filterPath(`externalId eq "${externalIdOf(i)}"`)));
    rows.push(
      await load('emails[type eq "work" and value eq …]', scimd, scimUrl, (i) =>
        filterPath(`emails[type eq "work" and value eq "${workEmailOf(i)}"]`),
      ),
    );
    rows.push(await load('emails.value eq', scimd, scimUrl, (i) => filterPath(`emails.value eq "${workEmailOf(i)}"`)));
    rows.push(
      await load(
        'Groups displayName eq, excludedAttributes=members',
        scimd,
        scimUrl,
        (i) => `/scim/v2/Groups?filter=${encodeURIComponent(`displayName eq "Group ${i % GROUPS}"`)}&excludedAttributes=members`,
      ),
    );
    rows.push(
      await load(
        `GET group of ${USERS} members, excludedAttributes=members`,
        scimd,
        scimUrl,
        () => `/scim/v2/Groups/${seeded.bigGroupId}?excludedAttributes=members`,
      ),
    );
    rows.push(
      await load(
        'GET empty group, excludedAttributes=members',
        scimd,
        scimUrl,
        () => `/scim/v2/Groups/${seeded.emptyGroupId}?excludedAttributes=members`,
      ),
    );

    const bareRps = rows[0]!.rps;
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per scenario, ${USERS} users, ${GROUPS} groups, SQLite\n`);
    console.log('| scenario | req/s | % of bare | p50 ms | p99 ms | errors | server CPU µs/req |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      console.log(
        `| ${row.scenario} | ${row.rps} | ${((row.rps / bareRps) * 100).toFixed(0)}% | ${row.p50} | ${row.p99} | ${row.errors} | ${row.cpuUs?.toFixed(0) ?? 'n/a'} |`,
      );
    }

    const walk = await cursorWalk(scimUrl);
    console.log(`\ncursor paging: ${USERS} users, 100 a page, ${walk.pages} pages in ${walk.seconds.toFixed(2)} s`);
    console.log('time per tenth of the walk (ms), first to last — flat means linear in the number of users:');
    console.log(walk.deciles.map((d) => d.toFixed(0)).join(' | '));
  } finally {
    scimd.kill('SIGTERM');
    bare.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
