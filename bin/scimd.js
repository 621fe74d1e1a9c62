#!/usr/bin/env node
// In the repository: the TypeScript sources through tsx, so that `npx scimd …` works in a fresh
// clone without a build step. Installed from the package (npm pack ships no sources): the bundle
// that `npm pack` builds (scripts/build.mjs).
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/run.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/scimd.mjs');
}
