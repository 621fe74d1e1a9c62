import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '../config/load.ts';
import type { Config } from '../config/config.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createTenantService } from '../service/tenants.ts';
import { openStore } from '../store/open.ts';
import { relay, tail } from './events.ts';
import { serve } from './serve.ts';

const USAGE = `Usage: scimd <command>

  serve                                    run the SCIM service (the default for npm start)
  migrate                                  apply database migrations and exit
  relay                                    deliver outbox events to SCIMD_EVENT_SINKS (without serving)
  events tail [--tenant NAME] [--after N]  print events as they are committed, one JSON per line
  tenants create NAME                      create a tenant
  tenants list                             list tenants
  tokens create --tenant NAME [--expires 90d] [--label TEXT] [--json]
                                           mint a bearer token (printed once)
  tokens list [--tenant NAME]              list tokens (never their secrets)
  tokens revoke ID                         revoke a token

Configuration comes from SCIMD_* environment variables (see README.md).`;

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
      case 'tenants':
      case 'tokens':
        return await admin(config, command, sub, rest, out, err);
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

async function admin(config: Config, command: string, sub: string | undefined, args: readonly string[], out: Output, err: Output) {
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    const tenants = createTenantService(store);
    const key = `${command} ${sub ?? ''}`.trim();
    switch (key) {
      case 'tenants create': {
        const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
        if (positionals.length !== 1) return usage(err, 'tenants create NAME');
        const tenant = await tenants.createTenant(positionals[0]!);
        out(`created tenant ${tenant.name} (${tenant.id})`);
        return 0;
      }
      case 'tenants list': {
        for (const t of await tenants.listTenants()) out(`${t.name}\t${t.id}\t${t.createdAt}`);
        return 0;
      }
      case 'tokens create': {
        const { values } = parseArgs({
          args: [...args],
          options: { tenant: { type: 'string' }, expires: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' } },
        });
        if (!values.tenant) return usage(err, 'tokens create --tenant NAME [--expires 90d] [--label TEXT] [--json]');
        const minted = await tenants.mintToken(values.tenant, {
          ...(values.expires ? { expires: values.expires } : {}),
          ...(values.label ? { label: values.label } : {}),
        });
        if (values.json) out(JSON.stringify({ tenant: minted.tenant, id: minted.id, token: minted.token }));
        else {
          out(`token ${minted.id} for tenant ${minted.tenant}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''}`);
          out(`secret (shown once): ${minted.token}`);
        }
        return 0;
      }
      case 'tokens list': {
        const { values } = parseArgs({ args: [...args], options: { tenant: { type: 'string' } } });
        for (const t of await tenants.listTokens(values.tenant)) {
          const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'active';
          out(`${t.id}\t${t.tenantName}\t${state}\tcreated ${t.createdAt}\tlast used ${t.lastUsedAt ?? 'never'}${t.label ? `\t${t.label}` : ''}`);
        }
        return 0;
      }
      case 'tokens revoke': {
        const { positionals } = parseArgs({ args: [...args], allowPositionals: true, options: {} });
        if (positionals.length !== 1) return usage(err, 'tokens revoke ID');
        await tenants.revokeToken(positionals[0]!);
        out(`revoked ${positionals[0]}`);
        return 0;
      }
      default:
        err(`scimd: unknown command "${key}"\n\n${USAGE}`);
        return 1;
    }
  } finally {
    await store.close();
  }
}

function usage(err: Output, text: string): number {
  err(`usage: scimd ${text}`);
  return 1;
}
