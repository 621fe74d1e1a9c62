import type { Command } from 'commander';
import { createAdminTokenService } from '../service/admin-tokens.ts';
import { createTenantService } from '../service/tenants.ts';
import { DEFAULT_ROTATION_OVERLAP, type TokenView } from '../service/tokens.ts';
import type { AdminTokenRecord } from '../store/ports/admin.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

const EXPIRES = ['--expires <DURATION>', 'lifetime such as 90d, 12h or 30m (default: none)'] as const;

function tokenState(t: TokenView): string {
  if (t.state === 'revoked') return `revoked ${t.revokedAt}`;
  if (t.expiresAt) return `${t.state === 'expired' ? 'expired' : 'expires'} ${t.expiresAt}`;
  return 'active';
}

/** `scimd tokens …` (SCIM bearer tokens of a tenant) and `scimd admin-tokens …` (tokens of /admin). */
export function registerTokenCommands(program: Command, cli: Cli): void {
  const tokens = program.command('tokens').description("mint, list, revoke and rotate a tenant's SCIM bearer tokens");

  tokens
    .command('create')
    .description('mint a bearer token for a tenant; the secret is printed once')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option(...EXPIRES)
    .option('--label <TEXT>', 'a note shown in tokens list')
    .option('--json', 'print one line {"tenant","id","token"}')
    .action(
      cli.withStore<{ tenant: string; expires?: string; label?: string; json?: boolean }>('write', async ({ store, io }, options) => {
        const minted = await createTenantService(store).mintToken(options.tenant, {
          ...(options.expires ? { expires: options.expires } : {}),
          ...(options.label ? { label: options.label } : {}),
        });
        if (options.json) io.out(JSON.stringify({ tenant: minted.tenant, id: minted.id, token: minted.token }));
        else {
          io.out(`token ${minted.id} for tenant ${minted.tenant}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''}`);
          io.out(`secret (shown once): ${minted.token}`);
        }
      }),
    );

  tokens
    .command('list')
    .description('list tokens with state and last use (never their secrets)')
    .option('--tenant <NAME>', "only this tenant's tokens")
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ tenant?: string; json?: boolean }>('read', async ({ store, io }, options) => {
        printList<TokenView>(io, await createTenantService(store).listTokens(options.tenant), {
          json: options.json,
          noun: 'tokens',
          columns: [
            { header: 'ID', cell: (t) => t.id },
            { header: 'TENANT', cell: (t) => t.tenant },
            { header: 'STATE', cell: tokenState },
            { header: 'CREATED', cell: (t) => `created ${t.createdAt}` },
            { header: 'LAST USED', cell: (t) => `last used ${t.lastUsedAt ?? 'never'}` },
            { header: 'LABEL', cell: (t) => t.label },
          ],
        });
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a token at once')
    .argument('<ID>', 'the token id (tokens list)')
    .action(
      cli.withStore('write', async ({ store, io }, _options, id: string) => {
        await createTenantService(store).revokeToken(id);
        io.out(`revoked ${id}`);
      }),
    );

  tokens
    .command('rotate')
    .description('mint a successor; the old token keeps working for the overlap, then expires')
    .argument('<ID>', 'the token to replace')
    .option('--overlap <DURATION>', 'how long the old token keeps working', DEFAULT_ROTATION_OVERLAP)
    .option(EXPIRES[0], "the new token's lifetime (default: the old token's)")
    .option('--json', 'print one line {"tenant","id","token","previous","previousExpiresAt"}')
    .action(
      cli.withStore<{ overlap: string; expires?: string; json?: boolean }>('write', async ({ store, io }, options, id: string) => {
        const { minted, previous } = await createTenantService(store).rotateToken(id, {
          overlap: options.overlap,
          ...(options.expires ? { expires: options.expires } : {}),
        });
        if (options.json)
          io.out(
            JSON.stringify({
              tenant: minted.tenant,
              id: minted.id,
              token: minted.token,
              previous: previous.id,
              previousExpiresAt: previous.expiresAt,
            }),
          );
        else {
          io.out(`token ${minted.id} for tenant ${minted.tenant} replaces ${previous.id}, which stops working at ${previous.expiresAt}`);
          io.out(`secret (shown once): ${minted.token}`);
        }
      }),
    );

  const admin = program.command('admin-tokens').description('mint, list and revoke tokens of the admin API (/admin; never SCIM tokens)');

  admin
    .command('create')
    .description('mint an admin API token; the secret is printed once')
    .option(...EXPIRES)
    .option('--label <TEXT>', 'a note shown in admin-tokens list')
    .option('--json', 'print one line {"id","token"}')
    .action(
      cli.withStore<{ expires?: string; label?: string; json?: boolean }>('write', async ({ store, io }, options) => {
        const minted = await createAdminTokenService(store).mint({
          ...(options.expires ? { expires: options.expires } : {}),
          ...(options.label ? { label: options.label } : {}),
        });
        if (options.json) io.out(JSON.stringify({ id: minted.id, token: minted.token }));
        else {
          io.out(
            `admin token ${minted.id}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''} (for /admin only; never a SCIM token)`,
          );
          io.out(`secret (shown once): ${minted.token}`);
        }
      }),
    );

  admin
    .command('list')
    .description('list admin tokens (never their secrets)')
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ json?: boolean }>('read', async ({ store, io }, options) => {
        printList<AdminTokenRecord>(io, await createAdminTokenService(store).list(), {
          json: options.json,
          noun: 'admin tokens',
          columns: [
            { header: 'ID', cell: (t) => t.id },
            {
              header: 'STATE',
              cell: (t) => (t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'active'),
            },
            { header: 'CREATED', cell: (t) => `created ${t.createdAt}` },
            { header: 'LAST USED', cell: (t) => `last used ${t.lastUsedAt ?? 'never'}` },
            { header: 'LABEL', cell: (t) => t.label },
          ],
        });
      }),
    );

  admin
    .command('revoke')
    .description('revoke an admin token at once')
    .argument('<ID>', 'the admin token id')
    .action(
      cli.withStore('write', async ({ store, io }, _options, id: string) => {
        await createAdminTokenService(store).revoke(id);
        io.out(`revoked ${id}`);
      }),
    );
}
