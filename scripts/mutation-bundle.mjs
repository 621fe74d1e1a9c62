#!/usr/bin/env node
// Stryker's build step for `npm run test:mutation` (scripts/mutation.mjs), run in its sandbox after
// the sources are instrumented: each test file named is bundled with the sources it imports into
// plain JavaScript beside it (<file>.mjs, so that import.meta.url names the same folder). The TAP
// runner starts `node <file>.mjs` for the test file <file> (mutation.mjs's nodeArgs), so each
// mutant's test process loads compiled code instead of starting tsx and compiling the sources
// again: about 1 s less a process on this machine. Reports and incremental results still name
// the test file. Packages stay external, loaded from node_modules.
import { build } from 'esbuild';

await Promise.all(
  process.argv.slice(2).map((file) =>
    build({
      entryPoints: [file],
      outfile: `${file}.mjs`,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node}`,
      packages: 'external',
      logLevel: 'warning',
    }),
  ),
);
