import { defineConfig } from 'vite';

/**
 * The console: Preact with TypeScript, built into static files that scimd serves at /console/
 * (src/http/console-static.ts). No inline script or style is emitted, so the strict
 * Content-Security-Policy holds; scripts/build.mjs runs this build for `npm start` and `npm run build`.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
