// Bundles the service into dist/scimd.mjs, which `npm start` and the benchmarks run, and builds
// the console into dist/console (build-console.mjs), which scimd serves at /console/. tsx, which
// bin/scimd.js and the tests use, compiles every function with keepNames and source maps: scimd's
// own read path ran about a tenth slower for it. Packages stay external, loaded from node_modules.
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = new URL('..', import.meta.url).pathname;

await build({
  entryPoints: [`${root}src/cli/run.ts`],
  outfile: `${root}dist/scimd.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${process.versions.node}`,
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

await buildConsole();
