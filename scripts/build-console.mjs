// Builds the console (console/, Preact + TypeScript) with Vite into static files that scimd
// serves at /console/: dist/console by default, which is where scimd looks for them.
import { build } from 'vite';

const root = new URL('..', import.meta.url).pathname;

/** Builds the console into `outDir` (default dist/console). */
export async function buildConsole(outDir = `${root}dist/console`) {
  await build({ configFile: `${root}console/vite.config.ts`, build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildConsole();
