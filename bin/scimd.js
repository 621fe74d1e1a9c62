#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so that `npx scimd …` works in a fresh clone without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/run.ts');
