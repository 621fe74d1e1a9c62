#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
//
//   npm test                 # every file (SQLite, plus the PostgreSQL and broker suites that
//                            # find their server), then the PostgreSQL pass (see below)
//   npm test -- test/events  # only the files whose path contains one of the arguments
//
// The PostgreSQL pass (full runs only): the suites that run through the HTTP test harness,
// again with the harness on PostgreSQL (scripts/test-postgres.mjs: a database of its own,
// dropped after). When PostgreSQL does not answer, it is skipped with the reason, unless
// CI=true, where that is a failure. SCIMD_TEST_POSTGRES=off skips it on purpose.
//
// Each run prints its own totals (spec reporter); the last line is the total of all runs, alone
// on its line: `N passed, N failed, N skipped` (todo tests count as skipped, cancelled as failed).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
// Set for the runs this script starts itself: they leave the totals to it.
const inner = process.env.SCIMD_TEST_INNER === '1';

/** What the PostgreSQL pass runs: the HTTP conformance, filter, PATCH, interop, endpoint fuzz and events suites. */
const POSTGRES_PASS = [
  'test/conformance',
  'test/fuzz/endpoints.test.ts',
  'test/events/outbox.test.ts',
  'test/events/relay.test.ts',
  'test/events/sinks.int.test.ts',
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

/** Runs a command, echoing its output as it comes, and resolves with its exit code and output. */
function run(args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      output += d.toString();
    });
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      output += d.toString();
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

/** The spec reporter's totals of one run (`ℹ pass 12`, …), summed if it printed several. */
function totals(output) {
  const count = (name) => [...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return {
    printed: /^ℹ pass \d+$/m.test(output),
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  };
}

const files = [...collect(join(root, 'src'), []), ...collect(join(root, 'test'), [])]
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const runs = [];
const notes = [];

const main = await run(['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  ...process.env,
  SCIMD_TEST_INNER: '1',
});
runs.push({ name: process.env.SCIMD_TEST_DATABASE_URL ? 'PostgreSQL' : 'SQLite', ...main, ...totals(main.output) });

const postgresPass = !inner && only.length === 0 && !process.env.SCIMD_TEST_DATABASE_URL;
if (postgresPass && process.env.SCIMD_TEST_POSTGRES === 'off') {
  notes.push(`# SKIP on PostgreSQL (SCIMD_TEST_POSTGRES=off): ${POSTGRES_PASS.join(', ')}`);
} else if (postgresPass) {
  console.log(`\n# PostgreSQL pass: ${POSTGRES_PASS.join(', ')}\n`);
  const pg = await run([join(root, 'scripts/test-postgres.mjs'), ...POSTGRES_PASS], { ...process.env, SCIMD_TEST_INNER: '1' });
  const skip = /^# SKIP test:postgres: (.*)$/m.exec(pg.output);
  if (skip) notes.push(`# SKIP on PostgreSQL (${skip[1]}): ${POSTGRES_PASS.join(', ')}`);
  runs.push({ name: 'PostgreSQL', ...pg, ...totals(pg.output), skippedWhole: Boolean(skip) });
}

if (!inner) {
  console.log('');
  for (const r of runs) {
    if (r.skippedWhole && r.code === 0) continue;
    const state = r.printed ? `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped` : 'no totals printed';
    console.log(`# ${r.name}: ${state}${r.code !== 0 ? ` (exit code ${r.code})` : ''}`);
    // The spec reporter's skipped suites and tests: `﹣ name (0.3ms) # reason`.
    for (const m of r.output.matchAll(/^\s*﹣ (.*?) \([\d.]+m?s\) # (.*)$/gm)) console.log(`#   skipped: ${m[1]} — ${m[2]}`);
  }
  for (const note of notes) console.log(note);
}

const failed = runs.some((r) => r.code !== 0 || r.failed > 0 || (!r.printed && !r.skippedWhole));
if (!inner) {
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const failures = sum('failed') + runs.filter((r) => r.code !== 0 && r.failed === 0).length;
  console.log(`${sum('passed')} passed, ${failures} failed, ${sum('skipped')} skipped`);
}
process.exit(failed ? 1 : 0);
