import type { Config } from '../config/config.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import { ADMIN_USAGE, runAdminCommand } from './admin.ts';
import { relay, tail } from './events.ts';
import { SCHEMA_USAGE, schemaCommand } from './schema.ts';
import { serve } from './serve.ts';

const USAGE = `Usage: scimd <command>

  serve                                    run the SCIM service (the default for npm start)
  migrate                                  apply database migrations and exit
  relay                                    deliver outbox events to SCIMD_EVENT_SINKS (without serving)
  events tail [--tenant NAME] [--after N]  print events as they are committed, one JSON per line
${ADMIN_USAGE}
${SCHEMA_USAGE}
  oauth set --tenant NAME --issuer ISS --jwks-url URL --audience AUD [--tenant-claim CLAIM]
            [--tenant-value VALUE] [--algorithms RS256,ES256] [--clock-skew SECONDS]
            [--subject-attribute userName|id]
                                           trust JWT access tokens of an OAuth 2.0 issuer for a tenant
  oauth show --tenant NAME                 print a tenant's issuer configuration (JSON)
  oauth list                               print every tenant's issuer configuration (JSON lines)
  oauth remove --tenant NAME               stop trusting the tenant's issuer

Configuration comes from SCIMD_* environment variables (see docs/configuration.md).`;

type Output = (line: string) => void;

/** Runs one CLI command against the configured database; returns the process exit code. */
export async function main(argv: readonly string[], out: Output = console.log, err: Output = console.error): Promise<number> {
  const [command, sub, ...rest] = argv;
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      err(`scimd: configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    switch (command) {
      case 'serve':
        return await serve(config);
      case 'migrate':
        return await migrate(config, out);
      case 'relay':
        return await relay(config, err);
      case 'events':
        if (sub !== 'tail') {
          err(`scimd: unknown command "events ${sub ?? ''}"\n\n${USAGE}`);
          return 1;
        }
        return await tail(config, rest, out, err);
      case 'schema':
        return await schemaCommand(config, sub, rest, out, err);
      case 'tenants':
      case 'tokens':
      case 'admin-tokens':
      case 'audit': {
        const code = await runAdminCommand(config, command, sub, rest, out);
        if (code !== undefined) return code;
        err(`scimd: unknown command "${`${command} ${sub ?? ''}`.trim()}"\n\n${USAGE}`);
        return 1;
      }
      case 'oauth': {
        const store = await openStore(config.databaseUrl);
        try {
          await store.migrate();
          // Imported on demand: it loads jose, which no other command needs.
          return await (await import('./oauth.ts')).oauthCommand(config, store, sub, rest, out, err);
        } finally {
          await store.close();
        }
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return command === undefined ? 1 : 0;
      default:
        err(`scimd: unknown command "${command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (error) {
    // Settings checked only when used (the SET key file) fail like the others: one line, exit 2.
    if (error instanceof ConfigError) {
      err(`scimd: configuration error: ${error.message}`);
      return 2;
    }
    if (error instanceof ScimError) {
      err(`scimd: ${error.detail}`);
      return 1;
    }
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      err(`scimd: ${error.message}\n\n${USAGE}`);
      return 1;
    }
    throw error;
  }
}

async function migrate(config: Config, out: Output): Promise<number> {
  const store = await openStore(config.databaseUrl);
  try {
    const applied = await store.migrate();
    out(applied.length === 0 ? 'database is up to date' : `applied migrations: ${applied.join(', ')}`);
    return 0;
  } finally {
    await store.close();
  }
}
