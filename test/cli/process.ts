import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const BIN = join(root, 'bin/scimd.js');

export function tempDatabaseUrl(): string {
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'scimd-cli-')), 'scimd.db')}`;
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `scimd ARGS` to completion with extra environment variables (undefined: removed), in `cwd` (default the repository). */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  cwd: string = root,
  user: { uid?: number; gid?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: withEnv(env), ...user });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function withEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const [name, value] of Object.entries(extra)) if (value === undefined) delete env[name];
  return env;
}

export interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * How long a start may take: tsx compiles the sources first, a few seconds on a quiet machine and
 * over 20 on two cores shared by several test runs. A start that fails ends sooner (the exit is seen).
 */
const START_TIMEOUT_MS = 120_000;

/** Starts `scimd serve` and resolves once it listens. */
export function startServe(env: Record<string, string | undefined>, port: number, cwd: string = root): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd,
      env: withEnv({ SCIMD_PORT: String(port), SCIMD_HOST: '127.0.0.1', ...env }),
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('scimd is serving')) {
        clearTimeout(timer);
        resolve({
          child,
          url: `http://127.0.0.1:${port}/scim/v2`,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              child.once('close', (code) => done(code));
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

/**
 * A port for a server of this test process: LOWEST..32767, from a random start per process, one
 * after the other. Below Linux's ephemeral range (32768-60999): there the kernel gives ports to
 * outgoing connections (to PostgreSQL, the brokers, fetch), and a server started on one held
 * that way failed with EADDRINUSE.
 */
export function freePort(): number {
  const port = nextPort;
  nextPort = nextPort >= HIGHEST ? LOWEST : nextPort + 1;
  return port;
}

const LOWEST = 20000;
const HIGHEST = 32767;
let nextPort = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
