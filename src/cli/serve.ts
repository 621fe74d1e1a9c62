import type { Config } from '../config/config.ts';
import { loggerOptions } from '../http/logger-options.ts';
import { createServer } from '../server.ts';
import { DEFAULT_TENANT, type TenantService } from '../service/tenants.ts';

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
      'More tokens: npx scimd tokens create --tenant default',
      '',
    ].join('\n'),
  );
}

export async function serve(config: Config): Promise<number> {
  const server = await createServer(config, { logger: loggerOptions(config) });
  const address = await server.app.listen({ host: config.host, port: config.port });
  const url = `${config.publicUrl ?? address}${config.basePath}`;
  await bootstrap(config, server.tenants, url);
  server.app.log.info({ url }, 'scimd is serving SCIM 2.0');

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
