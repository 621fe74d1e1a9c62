#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
//
//   npm test                 # every file (SQLite, plus the PostgreSQL and broker suites), then
//                            # the PostgreSQL pass (see below)
//   npm test -- test/events  # only the files whose path contains one of the arguments
//
// The PostgreSQL pass (full runs only): the files of POSTGRES_PASS again, with the HTTP test
// harness on PostgreSQL (scripts/test-postgres.mjs: a database of its own, dropped after).
//
// Skips: outside CI, a suite whose server does not answer (connection refused or timed out) is
// skipped, every one of its tests counted and listed with the reason; SCIMD_TEST_POSTGRES=off
// drops the PostgreSQL pass, whose tests then count as skipped too. With CI=true nothing may be
// skipped: SCIMD_TEST_POSTGRES=off is refused, and a run that skipped any test fails.
//
// Each file gets SCIMD_TEST_FILE_TIMEOUT seconds (default 420; each test in it as well): a hung
// sink or broker fails its file instead of holding up the run.
//
// Each run prints its own totals; the last line is the total of all runs, alone on its line:
// `1806 + 600 on PostgreSQL passed, 0 failed, 0 skipped` (the second figure is the PostgreSQL
// repeat of POSTGRES_PASS; todo tests count as skipped, cancelled ones as failed).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
// Set for the runs this script starts itself: they leave the totals to it.
const inner = process.env.SCIMD_TEST_INNER === '1';
// The PostgreSQL databases of this run's files carry this tag (src/store/postgres/testing.ts): at the
// end the run drops those a file killed by its timeout or a crash could not drop itself.
if (!inner) process.env.SCIMD_TEST_RUN = randomBytes(4).toString('hex');
const ci = process.env.CI === 'true';
const fileTimeoutS = Number(process.env.SCIMD_TEST_FILE_TIMEOUT || 420);

/** What the PostgreSQL pass runs: the HTTP conformance, filter, PATCH, interop, endpoint fuzz and events suites. */
const POSTGRES_PASS = [
  'test/conformance',
  'test/fuzz/endpoints.test.ts',
  'test/events/outbox.test.ts',
  'test/events/relay.test.ts',
  'test/events/sinks.int.test.ts',
  'test/consumer',
];

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

/** Runs a command, echoing its output as it comes, and resolves with its exit code. */
function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The lines scripts/test-counts-reporter.mjs wrote, totalled. */
function totals(countsFile) {
  let lines = [];
  try {
    lines = readFileSync(countsFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    // No file: the run died before its reporter wrote anything.
  }
  const tests = lines.map((line) => JSON.parse(line)).map((t) => ({ ...t, file: t.file ? relative(root, t.file) : '(unknown file)' }));
  const count = (outcome) => tests.filter((t) => t.outcome === outcome).length;
  return { printed: tests.length > 0, tests, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

/** `#   skipped 17: reason`, one line per reason. */
function skipLines(tests) {
  const groups = new Map();
  for (const t of tests.filter((x) => x.outcome === 'skip')) {
    const key = `${t.suite ? `the whole suite "${t.name}" in ${t.file} (its tests uncounted): ` : ''}${t.reason ?? 'no reason given'}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([key, n]) => `#   skipped ${n}: ${key}`);
}

if (ci && process.env.SCIMD_TEST_POSTGRES === 'off' && !inner) {
  console.error('test: CI=true skips nothing, and SCIMD_TEST_POSTGRES=off would skip the PostgreSQL pass: unset it');
  process.exit(1);
}

const files = [...collect(join(root, 'src'), []), ...collect(join(root, 'test'), [])]
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const scratch = mkdtempSync(join(tmpdir(), 'scimd-test-'));
const countsFile = process.env.SCIMD_TEST_COUNTS_FILE || join(scratch, 'main.jsonl');
const runs = [];

const code = await run(
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    `--test-timeout=${fileTimeoutS * 1000}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/test-counts-reporter.mjs')}`,
    `--test-reporter-destination=${countsFile}`,
    ...files,
  ],
  { ...process.env, SCIMD_TEST_INNER: '1' },
);
runs.push({ name: process.env.SCIMD_TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite', code, ...totals(countsFile) });

/**
 * Tests of the PostgreSQL pass's files in the SQLite run: what a skipped pass would have run (the
 * reporter names the file a test is declared in, and these files declare their own tests).
 */
const repeatable = () => runs[0].tests.filter((t) => POSTGRES_PASS.some((p) => t.file.startsWith(p)) && !t.suite).length;

let postgres;
const postgresPass = !inner && only.length === 0 && !process.env.SCIMD_TEST_DATABASE_URL;
if (postgresPass && process.env.SCIMD_TEST_POSTGRES === 'off') {
  postgres = {
    name: 'PostgreSQL',
    skippedWhole: 'SCIMD_TEST_POSTGRES=off',
    code: 0,
    tests: [],
    passed: 0,
    failed: 0,
    skipped: repeatable(),
  };
} else if (postgresPass) {
  console.log(`\n# PostgreSQL pass: ${POSTGRES_PASS.join(', ')}\n`);
  const pgCounts = join(scratch, 'postgres.jsonl');
  const skipFile = join(scratch, 'postgres-skip.txt');
  const pgCode = await run(['--import', 'tsx', join(root, 'scripts/test-postgres.mjs'), ...POSTGRES_PASS], {
    ...process.env,
    SCIMD_TEST_INNER: '1',
    SCIMD_TEST_COUNTS_FILE: pgCounts,
    SCIMD_TEST_SKIP_FILE: skipFile,
  });
  let skip;
  try {
    skip = readFileSync(skipFile, 'utf8');
  } catch {
    skip = undefined;
  }
  postgres = skip
    ? { name: 'PostgreSQL', skippedWhole: skip, code: pgCode, tests: [], passed: 0, failed: 0, skipped: repeatable() }
    : { name: 'PostgreSQL', code: pgCode, ...totals(pgCounts) };
}
if (postgres) runs.push(postgres);
rmSync(scratch, { recursive: true, force: true });
if (!inner) await dropLeftDatabases(process.env.SCIMD_TEST_RUN);

/** Drops this run's scimd_test_<tag>_… databases that are left; says how many. */
async function dropLeftDatabases(tag) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: process.env.SCIMD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    const { rows } = await client.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`scimd\\_test\\_${tag}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    if (rows.length > 0) console.log(`# dropped ${rows.length} PostgreSQL test database(s) that killed files left behind`);
  } catch {
    // No PostgreSQL (the suites that need it were skipped or failed): nothing of this run to drop.
  } finally {
    await client.end().catch(() => undefined);
  }
}

const skipped = runs.reduce((n, r) => n + r.skipped, 0);
const problems = [];
for (const r of runs) {
  if (r.code !== 0 && r.failed === 0) problems.push(`${r.name}: exit code ${r.code} without a failed test (a file that did not load?)`);
  if (!r.printed && !r.skippedWhole) problems.push(`${r.name}: no test reported`);
}
if (ci && skipped > 0) problems.push(`CI=true: ${skipped} tests were skipped, and on CI nothing may be skipped`);
const failed = runs.reduce((n, r) => n + r.failed, 0);

if (!inner) {
  console.log('');
  for (const r of runs) {
    if (r.skippedWhole) {
      console.log(`# ${r.name}: not run (${r.skippedWhole}): its ${r.skipped} tests (${POSTGRES_PASS.join(', ')}) count as skipped`);
      continue;
    }
    console.log(`# ${r.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.code !== 0 ? ` (exit code ${r.code})` : ''}`);
    for (const line of skipLines(r.tests)) console.log(line);
  }
  for (const p of problems) console.log(`# FAILED: ${p}`);
  const [main, pg] = runs;
  const split = (key) => (pg && pg[key] > 0 ? `${main[key]} + ${pg[key]} on PostgreSQL` : String(main[key] + (pg?.[key] ?? 0)));
  console.log(`${split('passed')} passed, ${failed + problems.length} failed, ${split('skipped')} skipped`);
}
process.exit(failed > 0 || problems.length > 0 || runs.some((r) => r.code !== 0) ? 1 : 0);
