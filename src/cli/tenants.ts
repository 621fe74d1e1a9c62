import type { Command } from 'commander';
import { badRequest } from '../errors/scim-error.ts';
import { createTenantService } from '../service/tenants.ts';
import type { TenantRecord } from '../store/ports/tenants.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

/** `scimd tenants …`: the same service layer as the admin API (src/service/tenants.ts). */
export function registerTenantCommands(program: Command, cli: Cli): void {
  const tenants = program.command('tenants').description('create, list, disable, enable and delete tenants');

  tenants
    .command('create')
    .description('create a tenant (a-z, 0-9, "-", "_"); an existing name is refused with its id')
    .argument('<NAME>', 'the tenant name')
    .action(
      cli.withStore('write', async ({ store, io }, _options, name: string) => {
        const tenant = await createTenantService(store).createTenant(name);
        io.out(`created tenant ${tenant.name} (${tenant.id})`);
      }),
    );

  tenants
    .command('list')
    .description('list tenants: name, id, created, disabled')
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ json?: boolean }>('read', async ({ store, io }, options) => {
        printList<TenantRecord>(io, await createTenantService(store).listTenants(), {
          json: options.json,
          noun: 'tenants',
          columns: [
            { header: 'NAME', cell: (t) => t.name },
            { header: 'ID', cell: (t) => t.id },
            { header: 'CREATED', cell: (t) => t.createdAt },
            { header: 'DISABLED', cell: (t) => (t.disabledAt ? `disabled ${t.disabledAt}` : undefined) },
          ],
        });
      }),
    );

  for (const sub of ['disable', 'enable'] as const) {
    tenants
      .command(sub)
      .description(sub === 'disable' ? "refuse (403) the tenant's SCIM tokens; its data stays" : "accept the tenant's SCIM tokens again")
      .argument('<NAME>', 'the tenant name')
      .action(
        cli.withStore('write', async ({ store, io }, _options, name: string) => {
          const service = createTenantService(store);
          const tenant = sub === 'disable' ? await service.disableTenant(name) : await service.enableTenant(name);
          io.out(
            tenant.disabledAt
              ? `disabled tenant ${tenant.name}: its tokens are refused (403) within a second`
              : `enabled tenant ${tenant.name}`,
          );
        }),
      );
  }

  tenants
    .command('delete')
    .description('delete a tenant with all its users, groups, events and tokens (not reversible)')
    .argument('<NAME>', 'the tenant name')
    .option('--yes', 'confirm the deletion')
    .action(
      cli.withStore<{ yes?: boolean }>('write', async ({ store, io }, options, name: string) => {
        if (!options.yes) throw badRequest(`deleting tenant ${name} removes all its users, groups, events and tokens for good: add --yes`);
        const deleted = await createTenantService(store).deleteTenant(name);
        io.out(`deleted tenant ${deleted.tenant.name}: ${deleted.resources} resources, ${deleted.tokens} tokens, ${deleted.events} events`);
      }),
    );
}
