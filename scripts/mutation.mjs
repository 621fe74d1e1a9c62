#!/usr/bin/env node
// Mutation testing with Stryker (docs/testing.md, "Mutation testing"): for each folder, Stryker
// mutates its sources and runs, through its TAP runner, only the unit tests that cover the folder,
// and only those of them that cover each mutant (coverage per test file).
// Not part of npm test: a full run takes long on two cores.
//
//   npm run test:mutation                  # every folder, one after the other
//   npm run test:mutation -- filter patch  # only these folders
//   STRYKER_MUTATE=src/filter/evaluate.ts npm run test:mutation -- filter   # some files of one folder
//   STRYKER_CONCURRENCY=1 …                # one test process (default 2)
//   STRYKER_TIMEOUT_MS=60000 …             # a mutant's run may take this much longer (default 10000)
//   STRYKER_PART=a STRYKER_MUTATE=… …      # results kept as <folder>-part-a.* (parts of a folder)
//                                          # (a part runs only the folder's tests whose imports reach its files)
//
// What keeps a mutant's run short, without testing less: the test files are compiled once, in
// Stryker's sandbox after it instrumented the sources (scripts/mutation-bundle.mjs), so that no
// test process starts tsx; the property tests run FUZZ_RUNS cases (default here 300, a fixed
// FUZZ_SEED: the same cases for every mutant and every run) instead of their 500 to 3,000.
//
// Incremental: the results of the last run of a folder are kept in reports/mutation/ (ignored by
// git); a mutant whose code and covering tests did not change is not run again. Delete that
// folder (or set STRYKER_FULL=1) for a run from scratch. Ends with a table: per folder the share
// of mutants killed (the mutation score), against its target.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'reports/mutation');

/**
 * Per folder: the unit tests that cover it (default: every *.test.ts under it, less `skip`), the
 * score it must reach.
 */
const FOLDERS = {
  errors: { target: 80 },
  auth: { target: 80 },
  // Not the 1 MB filter: it pins a loop no mutant turns into recursion, in 7 s of every run.
  filter: { skip: ['src/filter/parser-stress.test.ts'], target: 80 },
  // Not property.test.ts: its random cases made each mutant's run 3 times as long.
  patch: { tests: ['src/patch/apply.test.ts', 'src/patch/rfc7644-3.5.2.test.ts'], target: 80 },
  schema: { target: 80 },
  service: { target: 65 },
};

/** The *.test.ts files under a folder of the repository. */
function testFilesUnder(dir) {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(root, dir, entry);
    if (statSync(path).isDirectory()) return testFilesUnder(relative(root, path));
    return entry.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/**
 * The test files whose imports reach one of `sources` (esbuild's import graph, packages left out):
 * no other test can cover a mutant of them, so a part's run leaves the others out of Stryker's
 * initial run (all of src/service's tests: 4 minutes here, for a part of a few files).
 */
async function testsReaching(tests, sources) {
  const wanted = new Set(sources);
  const reaching = await Promise.all(
    tests.map(async (test) => {
      const { metafile } = await build({
        entryPoints: [join(root, test)],
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
        absWorkingDir: root,
      });
      return Object.keys(metafile.inputs).some((input) => wanted.has(input));
    }),
  );
  return tests.filter((_, i) => reaching[i]);
}

/**
 * The test files named after one of `sources` first (`validate.test.ts` for `validate.ts`), then
 * the others in their folders, then the rest, each group in its own order. A mutant's covering
 * files run in this order and stop at the first that fails: schema data (src/schema/types) is
 * covered by every test that imports the catalogue, and the tests beside it are the ones that
 * compare it, so run last they made each killed mutant's run that of a survivor.
 */
function besideFirst(tests, sources) {
  const own = new Set(sources.map((source) => source.replace(/\.ts$/, '.test.ts')));
  const folders = new Set(sources.map((source) => dirname(source)));
  const rank = (test) => (own.has(test) ? 0 : folders.has(dirname(test)) ? 1 : 2);
  return tests
    .map((test, i) => [rank(test), i, test])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, , test]) => test);
}

const chosen = process.argv.slice(2);
/** STRYKER_MUTATE=src/filter/evaluate.ts,src/filter/resolve.ts: only these files (of the folder named). */
const mutateOnly = process.env.STRYKER_MUTATE ? process.env.STRYKER_MUTATE.split(',') : undefined;
/** Test runner processes: 2 by default; STRYKER_CONCURRENCY=1 on a machine that others share. */
const concurrency = Number(process.env.STRYKER_CONCURRENCY || 2);
/**
 * How much longer than the unmutated tests a mutant's run may take before it counts as timed out
 * (and so as killed): 10 s by default; STRYKER_TIMEOUT_MS=60000 where a surviving mutant's run of
 * many covering files takes longer than that on a loaded machine.
 */
const timeoutMS = Number(process.env.STRYKER_TIMEOUT_MS || 10000);
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
  const { target } = FOLDERS[name];
  const folderTests = FOLDERS[name].tests ?? testFilesUnder(`src/${name}`).filter((f) => !FOLDERS[name].skip?.includes(f));
  const tests = mutateOnly ? besideFirst(await testsReaching(folderTests, mutateOnly), mutateOnly) : folderTests;
  // A run of some files keeps its results apart: the folder's own report and increments stay whole.
  // STRYKER_PART names the results of such a run, so that parts of a folder run one after the
  // other each keep theirs (<folder>-part-<name>.*).
  const file = mutateOnly ? `${name}-part${process.env.STRYKER_PART ? `-${process.env.STRYKER_PART}` : ''}` : name;
  const config = {
    $schema: '../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    plugins: ['@stryker-mutator/tap-runner'],
    testRunner: 'tap',
    // Each test file as compiled by the build command: `node <file>.mjs`, reported as <file>.
    buildCommand: `node scripts/mutation-bundle.mjs ${tests.join(' ')}`,
    tap: { testFiles: tests, nodeArgs: ['{{testFile}}.mjs'] },
    coverageAnalysis: 'perTest',
    mutate: mutateOnly ?? [`src/${name}/**/*.ts`, '!**/*.test.ts', '!**/testing/**'],
    concurrency,
    // A mutant's run may take this much longer than the tests took unmutated: on a machine this
    // loaded, less turned slow runs into timeouts (counted as killed).
    timeoutMS,
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
    env: { ...process.env, FUZZ_RUNS: process.env.FUZZ_RUNS || '300', FUZZ_SEED: process.env.FUZZ_SEED || '1' },
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
