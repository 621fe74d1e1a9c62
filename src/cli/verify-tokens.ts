import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { createPasswordVerifier, type LockoutView } from '../service/password-verify.ts';
import { DEFAULT_ROTATION_OVERLAP, type TokenView } from '../service/tokens.ts';
import type { Store } from '../store/ports/store.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

const verifierOf = (config: Config, store: Store) => createPasswordVerifier({ store, config: config.passwordVerify });

/** `scimd verify-tokens …` and `scimd lockouts …`: POST /auth/verify's tokens and lockouts (docs/password-sync.md). */
export function registerVerifyCommands(program: Command, cli: Cli): void {
  const tokens = program
    .command('verify-tokens')
    .description("mint, list, revoke and rotate a tenant's tokens of POST /auth/verify (never SCIM or admin tokens)");

  tokens
    .command('create')
    .description('mint a verify token for a tenant; the secret is printed once')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--expires <DURATION>', 'lifetime such as 90d, 12h or 30m (default: none)')
    .option('--label <TEXT>', 'a note shown in verify-tokens list')
    .option('--json', 'print one line {"tenant","id","token"}')
    .action(
      cli.withStore<{ tenant: string; expires?: string; label?: string; json?: boolean }>(
        'write',
        async ({ config, store, io }, options) => {
          const minted = await verifierOf(config, store).mintToken(options.tenant, {
            ...(options.expires ? { expires: options.expires } : {}),
            ...(options.label ? { label: options.label } : {}),
          });
          if (options.json) io.out(JSON.stringify({ tenant: minted.tenant, id: minted.id, token: minted.token }));
          else {
            io.out(`verify token ${minted.id} for tenant ${minted.tenant}${minted.expiresAt ? `, expires ${minted.expiresAt}` : ''}`);
            io.out(`secret (shown once): ${minted.token}`);
          }
        },
      ),
    );

  tokens
    .command('list')
    .description('list verify tokens with state and last use (never their secrets)')
    .option('--tenant <NAME>', "only this tenant's tokens")
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ tenant?: string; json?: boolean }>('read', async ({ config, store, io }, options) => {
        printList<TokenView>(io, await verifierOf(config, store).listTokens(options.tenant), {
          json: options.json,
          noun: 'verify tokens',
          columns: [
            { header: 'ID', cell: (t) => t.id },
            { header: 'TENANT', cell: (t) => t.tenant },
            {
              header: 'STATE',
              cell: (t) => (t.state === 'revoked' ? `revoked ${t.revokedAt}` : t.expiresAt ? `${t.state} until ${t.expiresAt}` : t.state),
            },
            { header: 'LAST USED', cell: (t) => `last used ${t.lastUsedAt ?? 'never'}` },
            { header: 'LABEL', cell: (t) => t.label },
          ],
        });
      }),
    );

  tokens
    .command('revoke')
    .description('revoke a verify token at once')
    .argument('<ID>', 'the token id (verify-tokens list)')
    .action(
      cli.withStore('write', async ({ config, store, io }, _options, id: string) => {
        await verifierOf(config, store).revokeToken(id);
        io.out(`revoked ${id}`);
      }),
    );

  tokens
    .command('rotate')
    .description('mint a successor; the old token keeps working for the overlap, then expires')
    .argument('<ID>', 'the token to replace')
    .option('--overlap <DURATION>', 'how long the old token keeps working', DEFAULT_ROTATION_OVERLAP)
    .option('--expires <DURATION>', "the new token's lifetime (default: the old token's)")
    .option('--json', 'print one line {"tenant","id","token","previous","previousExpiresAt"}')
    .action(
      cli.withStore<{ overlap: string; expires?: string; json?: boolean }>('write', async ({ config, store, io }, options, id: string) => {
        const { minted, previous } = await verifierOf(config, store).rotateToken(id, {
          overlap: options.overlap,
          ...(options.expires ? { expires: options.expires } : {}),
        });
        if (options.json) {
          const line = {
            tenant: minted.tenant,
            id: minted.id,
            token: minted.token,
            previous: previous.id,
            previousExpiresAt: previous.expiresAt,
          };
          io.out(JSON.stringify(line));
        } else {
          io.out(
            `verify token ${minted.id} for tenant ${minted.tenant} replaces ${previous.id}, which stops working at ${previous.expiresAt}`,
          );
          io.out(`secret (shown once): ${minted.token}`);
        }
      }),
    );

  const lockouts = program.command('lockouts').description('userNames with failed password checks (POST /auth/verify): list, clear');

  lockouts
    .command('list')
    .description("a tenant's userNames with failed checks, most recent first")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ tenant: string; json?: boolean }>('read', async ({ config, store, io }, options) => {
        printList<LockoutView>(io, await verifierOf(config, store).listLockouts(options.tenant), {
          json: options.json,
          noun: 'lockouts',
          columns: [
            { header: 'USER', cell: (l) => l.userName },
            { header: 'FAILURES', cell: (l) => String(l.failures) },
            { header: 'STATE', cell: (l) => (l.locked ? `locked until ${l.lockedUntil}` : 'not locked') },
            { header: 'LAST FAILURE', cell: (l) => l.lastFailureAt },
          ],
        });
      }),
    );

  lockouts
    .command('clear')
    .description("forget a userName's failures: its next check is judged by the password alone")
    .requiredOption('--tenant <NAME>', 'the tenant')
    .requiredOption('--user <USERNAME>', 'the userName (any case)')
    .action(
      cli.withStore<{ tenant: string; user: string }>('write', async ({ config, store, io }, options) => {
        await verifierOf(config, store).clearLockout(options.tenant, options.user);
        io.out(`cleared the lockout of ${options.user} in tenant ${options.tenant}`);
      }),
    );
}
