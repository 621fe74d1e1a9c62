import type { Command } from 'commander';
import { createAdminTokenService } from '../service/admin-tokens.ts';
import { createConsoleSessions, SIGN_IN_LINK_MINUTES } from '../service/console-sessions.ts';
import { createTenantService } from '../service/tenants.ts';
import type { Cli } from './cli.ts';

/** `scimd console-link`: a one-time sign-in link for the console, as the first start prints one. */
export function registerConsoleCommands(program: Command, cli: Cli): void {
  program
    .command('console-link')
    .description(`print a one-time sign-in link for the console (it works once, for ${SIGN_IN_LINK_MINUTES} minutes by default)`)
    .option('--minutes <N>', 'how long the link works', String(SIGN_IN_LINK_MINUTES))
    .action(
      cli.withStore<{ minutes: string }>('write', async ({ store, io, config }, options) => {
        const minutes = Number(options.minutes);
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
          io.err('scimd: --minutes must be a whole number from 1 to 1440');
          return 2;
        }
        const sessions = createConsoleSessions({
          store,
          adminTokens: createAdminTokenService(store, { envToken: config.adminToken }),
          tenants: createTenantService(store),
          lifetime: config.consoleSession,
        });
        const link = await sessions.mintSignInLink(minutes);
        const origin = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
        io.out(`${origin}/console/#signin=${link.secret}`);
        io.out(`(works once, until ${link.expiresAt})`);
        return 0;
      }),
    );
}
