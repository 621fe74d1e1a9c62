import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';
import { unknownVariableWarnings } from '../config/variables.ts';
import type { Store } from '../store/ports/store.ts';
import { type Access, openDatabase } from './database.ts';
import type { Io } from './output.ts';

export interface Context {
  readonly config: Config;
  readonly io: Io;
  /** The environment the configuration was read from. */
  readonly env: NodeJS.ProcessEnv;
}

export interface StoreContext extends Context {
  /** The configured database, migrated; closed when the action returns. */
  readonly store: Store;
  /** The migrations this opening applied (`scimd migrate` reports them). */
  readonly migrations: readonly number[];
}

/** A command's work: its options and positional arguments in, an exit code (default 0) out. */
type Handler<C, O, P extends unknown[]> = (context: C, options: O, ...args: P) => Promise<number | undefined> | Promise<void>;

/**
 * What every command's action shares: the configuration (loaded once, on first use, so that
 * --help and --version work whatever the environment holds), the database, the output, and the
 * exit code. A new command is `group.command('name').description(…).action(cli.withStore('read',
 * async ({ store, io }, options, arg) => …))`; see docs/cli.md.
 */
export class Cli {
  readonly io: Io;
  exitCode = 0;
  readonly #env: NodeJS.ProcessEnv;
  #config: Config | undefined;

  constructor(io: Io, env: NodeJS.ProcessEnv = process.env) {
    this.io = io;
    this.#env = env;
  }

  /** The validated configuration; a bad value throws ConfigError (exit 2). Misspelt SCIMD_* names are warned about once. */
  get config(): Config {
    if (this.#config === undefined) {
      this.#config = loadConfig(this.#env);
      for (const warning of unknownVariableWarnings(this.#env)) this.io.err(`scimd: warning: ${warning}`);
    }
    return this.#config;
  }

  /** The action of a command that needs the configuration but opens no database itself (serve, config). */
  action<O = Record<string, never>, P extends unknown[] = string[]>(handler: Handler<Context, O, P>) {
    return async (...args: unknown[]): Promise<void> => {
      const { options, positionals } = split<O, P>(args);
      this.#finish(await handler({ config: this.config, io: this.io, env: this.#env }, options, ...positionals));
    };
  }

  /** The action of a command on the database; `read` never creates a new SQLite file. */
  withStore<O = Record<string, never>, P extends unknown[] = string[]>(access: Access, handler: Handler<StoreContext, O, P>) {
    return async (...args: unknown[]): Promise<void> => {
      const { options, positionals } = split<O, P>(args);
      const config = this.config;
      const { store, migrations } = await openDatabase(config.databaseUrl, access, this.io.err);
      try {
        this.#finish(await handler({ config, io: this.io, env: this.#env, store, migrations }, options, ...positionals));
      } finally {
        await store.close();
      }
    };
  }

  #finish(code: unknown): void {
    this.exitCode = typeof code === 'number' ? code : 0;
  }
}

/** Commander calls an action with the positional arguments, then the options, then the command. */
function split<O, P extends unknown[]>(args: unknown[]): { options: O; positionals: P } {
  const command = args[args.length - 1] as Command;
  return { options: command.opts() as O, positionals: args.slice(0, -2) as P };
}

/** An option that takes a whole number (commander passes the raw text). */
export function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a whole number.');
  return Number(text);
}
