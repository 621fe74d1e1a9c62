import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { maskUrl } from '../config/variables.ts';
import { loggerOptions } from '../http/logger-options.ts';
import { createServer, type Server } from '../server.ts';
import { DEFAULT_TENANT, type TenantService } from '../service/tenants.ts';
import type { Cli } from './cli.ts';
import { databaseTarget, openDatabase } from './database.ts';
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

/**
 * First start: tenant "default" and a token for it, printed once with a curl line to try.
 * With SCIMD_BOOTSTRAP_TOKEN the operator's secret is made valid instead and nothing is printed.
 */
async function bootstrap(config: Config, tenants: TenantService, url: string): Promise<void> {
  if (config.bootstrapToken !== undefined) {
    await tenants.ensureToken(DEFAULT_TENANT, config.bootstrapToken, 'SCIMD_BOOTSTRAP_TOKEN');
    return;
  }
  if ((await tenants.listTenants()).length > 0) return;
  await tenants.ensureTenant(DEFAULT_TENANT);
  const minted = await tenants.mintToken(DEFAULT_TENANT, { label: 'first start' });
  console.log(
    [
      '',
      `scimd: first start — created tenant "${DEFAULT_TENANT}" and a bearer token for it.`,
      'It is shown only this once (only its hash is stored); keep it somewhere safe:',
      '',
      `  ${minted.token}`,
      '',
      'Try it:',
      '',
      `  curl -H 'Authorization: Bearer ${minted.token}' ${url}/Users`,
      '',
      `More tokens: ${moreTokensHint(config.databaseUrl)}`,
      '',
    ].join('\n'),
  );
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
  const url = `${config.publicUrl ?? address}${config.basePath}`;
  await bootstrap(config, server.tenants, url);
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
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(
      cli.withStore('write', async ({ migrations, io }) => {
        io.out(migrations.length === 0 ? 'database is up to date' : `applied migrations: ${migrations.join(', ')}`);
      }),
    );
}
