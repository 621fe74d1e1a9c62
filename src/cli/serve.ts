import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/load.ts';
import { maskUrl } from '../config/variables.ts';
import { loggerOptions } from '../http/logger-options.ts';
import { createServer, type Server } from '../server.ts';
import { type ConsoleSessions, SIGN_IN_LINK_MINUTES } from '../service/console-sessions.ts';
import { DEFAULT_TENANT, type TenantService } from '../service/tenants.ts';
import { tokenState } from '../service/tokens.ts';
import { backupSqlite } from '../store/sqlite/backup.ts';
import type { Cli } from './cli.ts';
import { openDatabase } from './database.ts';
import { databaseTarget } from './database-target.ts';
import { listenFailure } from './failure.ts';

/**
 * How to mint another token into the database this server uses, runnable as printed from any
 * directory: a SQLite path made absolute, the PostgreSQL URL (its password masked, never logged).
 */
export function moreTokensHint(databaseUrl: string): string {
  const command = `npx scimd tokens create --tenant ${DEFAULT_TENANT}`;
  const target = databaseTarget(databaseUrl);
  if (target.isDefaultHere) return `${command} (in this directory)`;
  if (target.file !== undefined) return `SCIMD_DATABASE_URL='${target.display}' ${command}`;
  if (databaseUrl.startsWith('sqlite:'))
    return `POST /admin/tenants/${DEFAULT_TENANT}/tokens (an in-memory database is this process's alone)`;
  const masked = maskUrl(databaseUrl);
  return `SCIMD_DATABASE_URL='${masked}' ${command}${masked === databaseUrl ? '' : " (with this server's password in place of ***)"}`;
}

/** The first-start banner for a person at a terminal: the token once, then how to use it, and the console's one-time link. */
export function firstStartBanner(token: string, url: string, moreTokens: string, consoleLink: string): string {
  return [
    '',
    `scimd: first start — created tenant "${DEFAULT_TENANT}" and a bearer token for it.`,
    'It is shown only this once (only its hash is stored); keep it somewhere safe:',
    '',
    `  TOKEN=${token}`,
    '',
    'Try it:',
    '',
    `  curl -H "Authorization: Bearer $TOKEN" ${url}/Users`,
    '',
    `More tokens: ${moreTokens}`,
    '',
    `The console, signed in by this link (it works once, for ${SIGN_IN_LINK_MINUTES} minutes; later: npx scimd console-link):`,
    '',
    `  ${consoleLink}`,
    '',
  ].join('\n');
}

/**
 * First start: tenant "default" and a token for it, shown once: as a banner on stderr when a
 * person watches (a terminal), else as one structured line among the JSON logs on stdout, whatever
 * the log level (a token filtered out would be lost for good). With SCIMD_BOOTSTRAP_TOKEN the
 * operator's secret is made valid instead and nothing is printed.
 */
async function bootstrap(
  config: Config,
  tenants: TenantService,
  sessions: ConsoleSessions,
  origin: string,
  log: Server['app']['log'],
): Promise<void> {
  const url = `${origin}${config.basePath}`;
  if (config.bootstrapToken !== undefined) {
    // A token revoked (or expired) since the first start stays so: the operator revoked it on
    // purpose, so the server starts and says why that secret is refused.
    const token = await tenants.ensureToken(DEFAULT_TENANT, config.bootstrapToken, 'SCIMD_BOOTSTRAP_TOKEN');
    const state = tokenState(token, new Date());
    if (state !== 'active') {
      log.warn(
        { token: token.id, tenant: token.tenantName, state },
        `SCIMD_BOOTSTRAP_TOKEN is a ${state} token and stays ${state}: requests with it are refused; unset it or set a new secret`,
      );
    }
    return;
  }
  if ((await tenants.listTenants()).length > 0) return;
  await tenants.ensureTenant(DEFAULT_TENANT);
  const minted = await tenants.mintToken(DEFAULT_TENANT, { label: 'first start' });
  const moreTokens = moreTokensHint(config.databaseUrl);
  const consoleLink = `${origin}/console/#signin=${(await sessions.mintSignInLink()).secret}`;
  if (process.stderr.isTTY) {
    process.stderr.write(`${firstStartBanner(minted.token, url, moreTokens, consoleLink)}\n`);
    return;
  }
  const line = {
    level: 40,
    time: Date.now(),
    pid: process.pid,
    msg: `first start: created tenant "${DEFAULT_TENANT}" and a bearer token for it, shown only in this line (only its hash is stored)`,
    tenant: DEFAULT_TENANT,
    token: minted.token,
    tryIt: `curl -H "Authorization: Bearer $TOKEN" ${url}/Users`,
    moreTokens,
    console: consoleLink,
    consoleLinkWorks: `once, for ${SIGN_IN_LINK_MINUTES} minutes (later: npx scimd console-link)`,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function serve(config: Config): Promise<number> {
  const { store } = await openDatabase(config.databaseUrl, 'write', () => undefined);
  let server: Server;
  try {
    server = await createServer(config, { logger: loggerOptions(config), store });
  } catch (error) {
    await store.close();
    throw error;
  }
  let address: string;
  try {
    address = await server.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await server.close();
    throw listenFailure(config.host, config.port, error);
  }
  const origin = config.publicUrl ?? address;
  const url = `${origin}${config.basePath}`;
  await bootstrap(config, server.tenants, server.consoleSessions, origin, server.app.log);
  server.app.log.info({ url, database: databaseTarget(config.databaseUrl).display }, 'scimd is serving SCIM 2.0');

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      server.close().then(
        () => resolve(0),
        (error: unknown) => {
          server.app.log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** `scimd serve` and `scimd migrate`. */
export function registerServeCommands(program: Command, cli: Cli): void {
  program
    .command('serve')
    .description('run the SCIM service (what npm start does); migrations run first')
    .action(cli.action(async ({ config }) => serve(config)));

  program
    .command('backup')
    .description(
      'copy the SQLite database into FILE while servers keep running (an online backup); restore by pointing SCIMD_DATABASE_URL at the copy',
    )
    .argument('<FILE>', 'where the copy goes (a new file; not in use by a server)')
    .action(
      cli.withStore('read', async ({ config, store, io }, _options, file: string) => {
        if (existsSync(file)) throw new ConfigError(`${file} exists: back up into a new file`);
        if (!config.databaseUrl.startsWith('sqlite:'))
          throw new ConfigError('backup copies a SQLite database; back PostgreSQL up with pg_dump');
        const pages = await backupSqlite(store, file);
        io.out(`backed up ${databaseTarget(config.databaseUrl).display} into ${resolve(file)} (${pages} pages)`);
      }),
    );

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(
      cli.withStore('write', async ({ migrations, io }) => {
        io.out(migrations.length === 0 ? 'database is up to date' : `applied migrations: ${migrations.join(', ')}`);
      }),
    );
}
