#!/usr/bin/env node
// How many mutants each source file of a folder gives, without running a test: Stryker's own
// instrumenter (the one `npm run test:mutation` uses, every mutator on), so that a folder too big
// to run whole here can be split into parts (STRYKER_PART, docs/testing.md) of a known size.
//
//   node scripts/mutation-count.mjs service filter   # per file, largest last, and each folder's total
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';

const root = new URL('..', import.meta.url).pathname;

/** The files scripts/mutation.mjs mutates: the folder's .ts files, less tests and testing/ helpers. */
function sourcesUnder(dir) {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(root, dir, entry);
    if (statSync(path).isDirectory()) return entry === 'testing' ? [] : sourcesUnder(relative(root, path));
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const silent = () => false;
const logger = Object.fromEntries(
  ['debug', 'trace', 'info', 'warn', 'error', 'fatal'].flatMap((level) => [
    [level, () => {}],
    [`is${level[0].toUpperCase()}${level.slice(1)}Enabled`, silent],
  ]),
);
const instrumenter = new Instrumenter(logger);

for (const folder of process.argv.slice(2)) {
  const counts = [];
  for (const name of sourcesUnder(`src/${folder}`)) {
    const content = readFileSync(join(root, name), 'utf8');
    const { mutants } = await instrumenter.instrument([{ name, content, mutate: true }], {
      plugins: null,
      excludedMutations: [],
      ignorers: [],
    });
    counts.push([mutants.length, name]);
  }
  counts.sort((a, b) => a[0] - b[0]);
  for (const [n, name] of counts) console.log(`${String(n).padStart(6)}  ${name}`);
  console.log(`${String(counts.reduce((sum, [n]) => sum + n, 0)).padStart(6)}  src/${folder} (${counts.length} files)\n`);
}
