#!/usr/bin/env node
// Mutation testing with Stryker (docs/testing.md, "Mutation testing"): for each folder, Stryker
// mutates its sources and runs, through its TAP runner (node + tsx), only the unit tests that
// cover the folder, and only those of them that cover each mutant (coverage per test file).
// Not part of npm test: a full run takes long on two cores.
//
//   npm run test:mutation                  # every folder, one after the other
//   npm run test:mutation -- filter patch  # only these folders
//   STRYKER_MUTATE=src/filter/evaluate.ts npm run test:mutation -- filter   # some files of one folder
//   STRYKER_CONCURRENCY=1 …                # one test process (default 2)
//
// Incremental: the results of the last run of a folder are kept in reports/mutation/ (ignored by
// git); a mutant whose code and covering tests did not change is not run again. Delete that
// folder (or set STRYKER_FULL=1) for a run from scratch. Ends with a table: per folder the share
// of mutants killed (the mutation score), against its target.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'reports/mutation');

/** Per folder: what to mutate, the unit tests that cover it, the score it must reach. */
const FOLDERS = {
  errors: { tests: ['src/errors/*.test.ts'], target: 80 },
  auth: { tests: ['src/auth/*.test.ts'], target: 80 },
  filter: { tests: ['src/filter/*.test.ts'], target: 80 },
  // Not property.test.ts: its 2,000 random cases make each mutant's run 3 times as long.
  patch: { tests: ['src/patch/apply.test.ts', 'src/patch/rfc7644-3.5.2.test.ts'], target: 80 },
  schema: { tests: ['src/schema/*.test.ts'], target: 80 },
  service: { tests: ['src/service/**/*.test.ts'], target: 65 },
};

const chosen = process.argv.slice(2);
/** STRYKER_MUTATE=src/filter/evaluate.ts,src/filter/resolve.ts: only these files (of the folder named). */
const mutateOnly = process.env.STRYKER_MUTATE ? process.env.STRYKER_MUTATE.split(',') : undefined;
/** Test runner processes: 2 by default; STRYKER_CONCURRENCY=1 on a machine that others share. */
const concurrency = Number(process.env.STRYKER_CONCURRENCY || 2);
for (const name of chosen) {
  if (!(name in FOLDERS)) {
    console.error(`test:mutation: no folder "${name}" (one of ${Object.keys(FOLDERS).join(', ')})`);
    process.exit(2);
  }
}
mkdirSync(out, { recursive: true });

/** Stryker's score: killed and timed-out mutants over all that compiled and ran (the definition in its docs). */
function score(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { counts, detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid };
}

const rows = [];
for (const name of chosen.length > 0 ? chosen : Object.keys(FOLDERS)) {
  const { tests, target } = FOLDERS[name];
  // A run of some files keeps its results apart: the folder's own report and increments stay whole.
  const file = mutateOnly ? `${name}-part` : name;
  const config = {
    $schema: '../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    plugins: ['@stryker-mutator/tap-runner'],
    testRunner: 'tap',
    tap: { testFiles: tests, nodeArgs: ['--import', 'tsx'] },
    coverageAnalysis: 'perTest',
    mutate: mutateOnly ?? [`src/${name}/**/*.ts`, '!**/*.test.ts', '!**/testing/**'],
    concurrency,
    timeoutMS: 5000,
    incremental: process.env.STRYKER_FULL !== '1',
    incrementalFile: join(out, `${file}.incremental.json`),
    reporters: ['clear-text', 'json', 'progress-append-only'],
    jsonReporter: { fileName: join(out, `${file}.json`) },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
    tempDirName: join(out, '.tmp'),
    cleanTempDir: true,
    ignorePatterns: ['reports', 'dist', 'bench', 'data', '.scratch'],
  };
  const configFile = join(out, `${file}.config.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  console.log(`\n# mutation testing ${mutateOnly ? mutateOnly.join(', ') : `src/${name}`} (tests: ${tests.join(', ')})\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', configFile], {
    cwd: root,
    stdio: 'inherit',
  });
  const minutes = (Date.now() - started) / 60_000;
  if (result.status !== 0) {
    rows.push({ name: `src/${name}`, failed: `stryker exited with ${result.status}`, minutes, target });
    continue;
  }
  rows.push({ name: mutateOnly ? mutateOnly.join(', ') : `src/${name}`, ...score(join(out, `${file}.json`)), minutes, target });
}

console.log('\n# mutation scores (killed or timed out / mutants that ran; no coverage counts as survived)');
for (const r of rows) {
  const time = `${r.minutes.toFixed(1)} min`;
  if (r.failed) console.log(`#   ${r.name}: ${r.failed} (${time})`);
  else {
    const verdict = r.percent >= r.target ? 'ok' : 'BELOW TARGET';
    const detail = Object.entries(r.counts)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    console.log(`#   ${r.name}: ${r.percent.toFixed(1)}% (${r.detected}/${r.valid}; ${detail}) target ${r.target}%: ${verdict} (${time})`);
  }
}
process.exit(rows.some((r) => r.failed || r.percent < r.target) ? 1 : 0);
