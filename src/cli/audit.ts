import type { Command } from 'commander';
import { createAuditLog } from '../service/audit.ts';
import { type Cli, wholeNumber } from './cli.ts';

/** `scimd audit list`: the audit log of SCIM and admin writes (README "Audit log"). */
export function registerAuditCommands(program: Command, cli: Cli): void {
  const audit = program.command('audit').description('read the audit log of SCIM and admin API writes');
  audit
    .command('list')
    .description('the audit log, newest first; with --json one entry per line, then {"nextCursor"} when there is more')
    .option('--tenant <NAME>', "only this tenant's entries")
    .option('--since <ISO>', 'entries at or after this time')
    .option('--until <ISO>', 'entries before this time')
    .option('--count <N>', 'entries per page (default 100, at most 1000)', wholeNumber)
    .option('--cursor <C>', 'the next page, as printed after the previous one')
    .option('--json', 'print JSON lines')
    .action(
      cli.withStore<{ tenant?: string; since?: string; until?: string; count?: number; cursor?: string; json?: boolean }>(
        'read',
        async ({ store, io }, options) => {
          const { json, ...request } = options;
          const page = await createAuditLog(store).page(request);
          if (!json && page.entries.length > 0) io.out(['TIME', 'TENANT', 'TOKEN', 'OPERATION', 'TYPE', 'RESOURCE', 'STATUS'].join('\t'));
          for (const e of page.entries) {
            if (json) io.out(JSON.stringify(e));
            else
              io.out(
                `${e.time}\t${e.tenantName ?? '-'}\t${e.tokenId ?? '-'}\t${e.operation}\t${e.resourceType ?? '-'}\t${e.resourceId ?? '-'}\t${e.status}${e.reason ? `\t${e.reason}` : ''}`,
              );
          }
          if (!json && page.entries.length === 0) io.err('(no audit entries)');
          if (page.nextCursor) io.out(json ? JSON.stringify({ nextCursor: page.nextCursor }) : `more: --cursor ${page.nextCursor}`);
        },
      ),
    );
}
