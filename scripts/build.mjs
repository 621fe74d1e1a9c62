// Bundles the service into dist/scimd.mjs, which `npm start` and the benchmarks run, the consumer
// library (consumer/index.ts) into dist/consumer.mjs, which `import 'scimd/consumer'` loads, and builds
// the console into dist/console (build-console.mjs), which scimd serves at /console/. tsx, which
// bin/scimd.js and the tests use, compiles every function with keepNames and source maps: scimd's
// own read path ran about a tenth slower for it. Packages stay external, loaded from node_modules.
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = new URL('..', import.meta.url).pathname;

for (const [entry, out] of [
  ['src/cli/run.ts', 'dist/scimd.mjs'],
  ['consumer/index.ts', 'dist/consumer.mjs'],
]) {
  await build({
    entryPoints: [`${root}${entry}`],
    outfile: `${root}${out}`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

await buildConsole();
