import type { Parameters } from 'fast-check';

/**
 * The seed of this file's fuzz and property runs: random per run, so that every run explores new
 * cases, and printed, so that a failure found by one run replays with `FUZZ_SEED=<seed>`.
 */
export const FUZZ_SEED = (() => {
  const given = process.env['FUZZ_SEED'];
  const seed = given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${given}`);
  console.log(`# FUZZ_SEED=${seed} (${given ? 'given' : 'random'}; FUZZ_SEED=${seed} replays this run)`);
  return seed;
})();

/**
 * Case counts for the fuzz suite and the property tests beside the code. `npm test` runs the
 * defaults (small: the whole suite stays well under a minute); `npm run fuzz` sets FUZZ_RUNS high,
 * `npm run test:mutation` low (300, with a fixed seed: every mutant meets the same cases).
 * FUZZ_SEED replays a reported failure.
 */
export function fuzzParameters<T>(defaultRuns: number): Parameters<T> {
  const runs = Number(process.env['FUZZ_RUNS'] ?? '');
  return {
    numRuns: Number.isSafeInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: FUZZ_SEED,
    // A failing case is reported as it came: shrinking re-runs hundreds of HTTP requests.
    endOnFailure: true,
  };
}
