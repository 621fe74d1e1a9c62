import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

/**
 * The entry the benchmarks run: the bundle `npm start` runs (scripts/build.mjs), rebuilt from the
 * sources now, so that a benchmark measures the code as it is and as it is deployed.
 */
export const SCIMD_ENTRY = 'dist/scimd.mjs';
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

/**
 * Settings every benchmark gives the scimd it measures. A load generator is one client asking far
 * more than any identity provider would (Entra sends at most 25 requests/s per tenant): the
 * per-tenant and per-token rate limits would answer most of it with 429, and the figures would
 * measure the limiter. The limits have their own tests (test/conformance/rate-limits.test.ts).
 */
// The access log (one info line per request, on by default) is off: the figures in
// docs/performance.md were measured without it, and bench/observability.ts measures it apart.
export const BENCH_SERVER_ENV = { SCIMD_RATE_LIMIT_TENANT: '0', SCIMD_RATE_LIMIT_TOKEN: '0', SCIMD_ACCESS_LOG: 'off' } as const;

/**
 * `scimd serve` on 127.0.0.1:port with BENCH_SERVER_ENV and `env`, once it says it is serving:
 * this checkout's bundle, or another checkout's (built by its own scripts/build.mjs) for a
 * before/after comparison in one run.
 */
export function startScimd(env: Record<string, string>, port: number, checkout = root): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCIMD_ENTRY, 'serve'], {
      cwd: checkout,
      env: { ...process.env, ...BENCH_SERVER_ENV, SCIMD_PORT: String(port), SCIMD_HOST: '127.0.0.1', SCIMD_LOG_LEVEL: 'info', ...env },
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('scimd is serving')) {
        // From now on request logs would only fill memory.
        child.stdout!.removeListener('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`scimd serve exited ${code}: ${output}`)));
  });
}

/**
 * CPU seconds (user + system) a child process has used, from /proc (Linux only): what a request
 * costs the server, which on a machine loaded by other work says more than requests per second.
 */
export function cpuSeconds(child: ChildProcess): number {
  return statCpuSeconds(`/proc/${child.pid}/stat`);
}

/** The same for the child's main thread alone: the event loop, which is what a request waits for. */
export function mainThreadCpuSeconds(child: ChildProcess): number {
  return statCpuSeconds(`/proc/${child.pid}/task/${child.pid}/stat`);
}

function statCpuSeconds(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The median of a benchmark's rounds. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
