import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { Config } from '../config/config.ts';
import { badRequest } from '../errors/scim-error.ts';
import type { ClientWithSecrets, IssuedSecret, OAuthClientView } from '../service/oauth-clients.ts';
import type { Store } from '../store/ports/store.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

/** --kebab-case flags → the admin API's field names: one settings parser serves both. */
const SETTINGS_FLAGS = [
  ['--name <TEXT>', 'name', 'a label for people'],
  ['--token-lifetime <SECONDS>', 'tokenLifetimeSeconds', 'access token lifetime, 3600-21600 (clamped; default 3600)'],
  ['--federated-subject <SUB>', 'federatedSubject', "workload identity federation: the sub of the tenant's trusted issuer's assertions"],
  ['--federated-audience <AUD>', 'federatedAudience', "the aud those assertions carry (default: the trusted issuer's audience)"],
] as const;
const JWKS_FLAG = [
  '--jwks <FILE>',
  'private_key_jwt: a file with the public JWK Set, JWK or PEM public key the client signs with',
] as const;

type Options = Record<string, string | boolean | undefined>;

function addSettings(command: Command): (options: Options) => Promise<Record<string, unknown>> {
  const fields = SETTINGS_FLAGS.map(([flag, field, help]) => {
    const option = new Option(flag, help);
    command.addOption(option);
    return [option.attributeName(), field] as const;
  });
  command.option(...JWKS_FLAG);
  return async (options) => {
    const input: Record<string, unknown> = Object.fromEntries(
      fields.filter(([key]) => options[key] !== undefined).map(([key, field]) => [field, options[key]]),
    );
    if (typeof options['jwks'] === 'string') {
      try {
        input['jwks'] = await readFile(options['jwks'], 'utf8');
      } catch (error) {
        throw badRequest(`cannot read ${options['jwks']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    return input;
  };
}

/** The service, imported on demand: it loads jose, which most commands do not need. */
async function service(store: Store) {
  const { createOAuthClientService } = await import('../service/oauth-clients.ts');
  return createOAuthClientService({ store });
}

async function signingKeys(config: Config, store: Store) {
  const { createSigningKeys } = await import('../service/oauth-signing-keys.ts');
  return createSigningKeys({ store, rotationSeconds: config.oauthKeyRotationSeconds });
}

async function viewOf(client: ClientWithSecrets): Promise<OAuthClientView> {
  const { oauthClientView } = await import('../service/oauth-clients.ts');
  return oauthClientView(client, new Date());
}
const tokenEndpoint = (config: Config) => (config.publicUrl ? { token_endpoint: `${config.publicUrl}/oauth/token` } : {});

function printSecret(io: Cli['io'], config: Config, clientId: string, issued: IssuedSecret, json: unknown): void {
  const line = {
    client_id: clientId,
    client_secret: issued.secret,
    secret_id: issued.id,
    expires_at: issued.expiresAt,
    ...tokenEndpoint(config),
  };
  if (json) {
    io.out(JSON.stringify(line));
    return;
  }
  io.out(`client_id: ${clientId}`);
  io.out(`client_secret (shown once): ${issued.secret}`);
  io.out(`secret ${issued.id} expires ${issued.expiresAt}`);
  if (config.publicUrl) io.out(`token endpoint: ${config.publicUrl}/oauth/token`);
}

/** `scimd oauth clients …`: scimd's own OAuth 2.0 clients, the same service as the admin API's (docs/oauth.md). */
export function registerOAuthClientCommands(oauth: Command, cli: Cli): void {
  const clients = oauth.command('clients').description("scimd's own OAuth 2.0 clients (client credentials grant at POST /oauth/token)");

  const create = clients
    .command('create')
    .description('create a client for a tenant; its first client_secret is printed once')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--secret-expires-in-days <DAYS>', 'lifetime of the first secret, 1-730 (default 180)')
    .option('--no-secret', 'no client secret (the client authenticates with JWT assertions only)')
    .option('--json', 'print one line {"client_id","client_secret","secret_id","expires_at"}');
  const createSettings = addSettings(create);
  create.action(
    cli.withStore<Options>('write', async ({ config, store, io }, options) => {
      const input = {
        ...(await createSettings(options)),
        ...(options['secret'] === false ? { secret: false } : {}),
        ...(options['secretExpiresInDays'] !== undefined ? { secretExpiresInDays: options['secretExpiresInDays'] } : {}),
      };
      const clients = await service(store);
      const created = await clients.create(String(options['tenant']), input);
      if (created.issued) printSecret(io, config, created.client.id, created.issued, options['json']);
      else if (options['json']) io.out(JSON.stringify({ client_id: created.client.id, ...tokenEndpoint(config) }));
      else io.out(`client_id: ${created.client.id} (no secret)`);
    }),
  );

  clients
    .command('list')
    .description("list a tenant's clients and their secrets' hints and expiry (never the secrets)")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ tenant: string; json?: boolean }>('read', async ({ store, io }, options) => {
        const clients = await service(store);
        const views = await Promise.all((await clients.list(options.tenant)).map(viewOf));
        printList<OAuthClientView>(io, views, {
          json: options.json,
          noun: 'OAuth clients',
          columns: [
            { header: 'CLIENT_ID', cell: (c) => c.clientId },
            { header: 'NAME', cell: (c) => c.name },
            { header: 'SECRETS', cell: (c) => `${c.secrets.filter((s) => !s.expired).length} active of ${c.secrets.length}` },
            {
              header: 'AUTH',
              cell: (c) => [c.jwks ? 'private_key_jwt' : '', c.federatedSubject ? 'federated' : ''].filter(Boolean).join(','),
            },
            { header: 'CREATED', cell: (c) => c.createdAt },
          ],
        });
      }),
    );

  clients
    .command('show')
    .description('print a client as JSON (its secrets by hint and expiry)')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<CLIENT_ID>')
    .action(
      cli.withStore<{ tenant: string }>('read', async ({ store, io }, options, clientId: string) => {
        const clients = await service(store);
        io.out(JSON.stringify(await viewOf(await clients.show(options.tenant, clientId)), null, 2));
      }),
    );

  const update = clients
    .command('update')
    .description("change a client's settings and print it as JSON")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<CLIENT_ID>');
  const updateSettings = addSettings(update);
  update.action(
    cli.withStore<Options>('write', async ({ store, io }, options, clientId: string) => {
      const clients = await service(store);
      const updated = await clients.update(String(options['tenant']), clientId, await updateSettings(options));
      io.out(JSON.stringify(await viewOf(updated), null, 2));
    }),
  );

  clients
    .command('rotate-secret')
    .description('add a client secret, printed once; the others keep working until they expire or are revoked')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<CLIENT_ID>')
    .option('--expires-in-days <DAYS>', 'lifetime of the new secret, 1-730 (default 180)')
    .option('--json', 'print one line {"client_id","client_secret","secret_id","expires_at"}')
    .action(
      cli.withStore<{ tenant: string; expiresInDays?: string; json?: boolean }>(
        'write',
        async ({ config, store, io }, options, clientId: string) => {
          const input = options.expiresInDays !== undefined ? { expiresInDays: options.expiresInDays } : {};
          const clients = await service(store);
          printSecret(io, config, clientId, await clients.addSecret(options.tenant, clientId, input), options.json);
        },
      ),
    );

  clients
    .command('revoke-secret')
    .description('revoke one client secret at once')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<CLIENT_ID>')
    .argument('<SECRET_ID>')
    .action(
      cli.withStore<{ tenant: string }>('write', async ({ store, io }, options, clientId: string, secretId: string) => {
        const clients = await service(store);
        await clients.revokeSecret(options.tenant, clientId, secretId);
        io.out(`revoked secret ${secretId} of ${clientId}`);
      }),
    );

  clients
    .command('revoke')
    .description('delete a client and its secrets; its access tokens are refused from then on')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .argument('<CLIENT_ID>')
    .action(
      cli.withStore<{ tenant: string }>('write', async ({ store, io }, options, clientId: string) => {
        const clients = await service(store);
        await clients.remove(options.tenant, clientId);
        io.out(`revoked OAuth client ${clientId}`);
      }),
    );

  const keys = oauth.command('keys').description("the keys that sign scimd's own access tokens (published at /oauth/jwks.json)");
  keys
    .command('list')
    .description('print the public signing keys as a JWK Set, oldest first (the newest signs)')
    .action(
      cli.withStore('write', async ({ config, store, io }) => {
        const signing = await signingKeys(config, store);
        io.out(JSON.stringify(await signing.jwks(), null, 2));
      }),
    );
  keys
    .command('rotate')
    .description('a new signing key now (after a suspected leak); running servers sign with it within a minute')
    .action(
      cli.withStore('write', async ({ config, store, io }) => {
        const signing = await signingKeys(config, store);
        io.out(`new signing key ${await signing.rotate()}`);
      }),
    );
}
