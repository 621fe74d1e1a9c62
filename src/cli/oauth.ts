import { type Command, Option } from 'commander';
import type { Config } from '../config/config.ts';
import type { Store } from '../store/ports/store.ts';
import type { Cli } from './cli.ts';
import { registerOAuthClientCommands } from './oauth-clients.ts';

/** Maps --kebab-case flags to the admin API's field names (commander camel-cases them): one settings parser serves both. */
const FLAGS = [
  ['--issuer <ISS>', 'issuer', 'the exact iss of the tokens'],
  ['--jwks-url <URL>', 'jwksUrl', 'where the issuer publishes its public keys'],
  ['--audience <AUD>', 'audience', 'the aud the tokens must carry'],
  ['--tenant-claim <CLAIM>', 'tenantClaim', 'the claim that names the tenant (default tenant)'],
  ['--tenant-value <VALUE>', 'tenantValue', "the value that claim must have (default the tenant's name)"],
  ['--algorithms <LIST>', 'algorithms', 'allowed signature algorithms, e.g. RS256,ES256 (default RS256)'],
  ['--clock-skew <SECONDS>', 'clockSkewSeconds', 'tolerance on exp and nbf (default 60, at most 300)'],
  ['--subject-attribute <userName|id>', 'subjectAttribute', 'how sub names the user of /Me (default userName)'],
] as const;

/** The OAuth service, imported on demand: it loads jose, which no other command needs. */
async function oauthService(config: Config, store: Store) {
  const [{ createJwtVerifier }, { createOAuthService, oauthIssuerView }] = await Promise.all([
    import('../auth/jwt.ts'),
    import('../service/oauth.ts'),
  ]);
  const verifier = createJwtVerifier({ refreshCooldownMs: config.jwksRefreshCooldownSeconds * 1000 });
  return { oauth: createOAuthService({ store, verifier }), view: oauthIssuerView };
}

/** `scimd oauth set|show|list|remove`: the same service as the admin API's OAuth routes (README "OAuth 2.0 access tokens"). */
export function registerOAuthCommands(program: Command, cli: Cli): void {
  const oauth = program.command('oauth').description('trust JWT access tokens of an OAuth 2.0 issuer for a tenant');

  const set = oauth
    .command('set')
    .description("set the tenant's issuer configuration (the whole of it) and print it as JSON")
    .usage('--tenant NAME --issuer ISS --jwks-url URL --audience AUD [options]')
    .requiredOption('--tenant <NAME>', 'the tenant');
  const fields = FLAGS.map(([flag, field, help]) => {
    const option = new Option(flag, help);
    set.addOption(option);
    return [option.attributeName(), field] as const;
  });
  set.action(
    cli.withStore<Record<string, string>>('write', async ({ config, store, io }, options) => {
      const { oauth, view } = await oauthService(config, store);
      const input = Object.fromEntries(fields.filter(([key]) => options[key] !== undefined).map(([key, field]) => [field, options[key]]));
      io.out(JSON.stringify(view(await oauth.set(options['tenant']!, input)), null, 2));
    }),
  );

  oauth
    .command('show')
    .description("print the tenant's issuer configuration as JSON")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .action(
      cli.withStore<{ tenant: string }>('read', async ({ config, store, io }, options) => {
        const { oauth, view } = await oauthService(config, store);
        io.out(JSON.stringify(view(await oauth.show(options.tenant)), null, 2));
      }),
    );

  oauth
    .command('list')
    .description("print every tenant's issuer configuration, one JSON object per line")
    .option('--json', 'the same (the list is always JSON)')
    .action(
      cli.withStore('read', async ({ config, store, io }) => {
        const { oauth, view } = await oauthService(config, store);
        for (const record of await oauth.list()) io.out(JSON.stringify(view(record)));
      }),
    );

  oauth
    .command('remove')
    .description("stop trusting the tenant's issuer")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .action(
      cli.withStore<{ tenant: string }>('write', async ({ config, store, io }, options) => {
        const { oauth } = await oauthService(config, store);
        await oauth.remove(options.tenant);
        io.out(`tenant ${options.tenant} no longer trusts an OAuth issuer`);
      }),
    );

  registerOAuthClientCommands(oauth, cli);
}
