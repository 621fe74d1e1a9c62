import { CommanderError } from 'commander';
import { ConfigError } from '../config/load.ts';
import { ScimError } from '../errors/scim-error.ts';
import { Cli } from './cli.ts';
import { StartupFailure } from './failure.ts';
import type { Io } from './output.ts';
import { createProgram } from './program.ts';

const CONSOLE: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** Runs one CLI command; returns the process exit code (0 done, 1 failed, 2 configuration). */
export async function main(argv: readonly string[], io: Io = CONSOLE, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const cli = new Cli(io, env);
  try {
    await createProgram(cli).parseAsync([...argv], { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    // Usage errors, --help and --version: commander has printed what it had to say.
    if (error instanceof CommanderError) return error.exitCode;
    // Settings checked only when used (the SET key file) fail like the others: one line, exit 2.
    if (error instanceof ConfigError) {
      io.err(`scimd: configuration error: ${error.message}`);
      return 2;
    }
    if (error instanceof StartupFailure) {
      io.err(`scimd: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ScimError) {
      io.err(`scimd: ${error.detail}`);
      return 1;
    }
    // Anything else is a defect: still one line, with the stack only when asked for.
    io.err(`scimd: ${error instanceof Error ? error.message : String(error)}`);
    if (/^(debug|trace)$/.test(env['SCIMD_LOG_LEVEL'] ?? '') && error instanceof Error && error.stack) io.err(error.stack);
    return 1;
  }
}
