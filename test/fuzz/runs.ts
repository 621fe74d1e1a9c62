import type { Parameters } from 'fast-check';

/**
 * Case counts for the fuzz suite. `npm test` runs the defaults (small: the whole suite stays
 * well under a minute); `npm run fuzz` sets FUZZ_RUNS high. FUZZ_SEED replays a reported failure.
 */
export function fuzzParameters<T>(defaultRuns: number): Parameters<T> {
  const runs = Number(process.env['FUZZ_RUNS'] ?? '');
  const seed = Number(process.env['FUZZ_SEED'] ?? '');
  return {
    numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns,
    ...(Number.isSafeInteger(seed) && process.env['FUZZ_SEED'] ? { seed } : {}),
    // A failing case is reported as it came: shrinking re-runs hundreds of HTTP requests.
    endOnFailure: true,
  };
}
