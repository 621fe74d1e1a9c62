import type { Command } from 'commander';
import { badRequest } from '../errors/scim-error.ts';
import { PROFILE_NAMES } from '../service/profiles.ts';
import { createTenantService } from '../service/tenants.ts';
import type { StoredProfile, TenantRecord } from '../store/ports/tenants.ts';
import type { Cli } from './cli.ts';
import { printList } from './output.ts';

const repeat = (value: string, previous: string[]) => [...previous, value];

/** A profile as one cell: `entra`, or `entra uniqueGroupDisplayName=false` with its overrides. */
function profileCell(profile: StoredProfile): string {
  const overrides = Object.entries(profile.overrides).map(([name, value]) => `${name}=${String(value)}`);
  return [profile.name, ...overrides].join(' ');
}

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
    .description('list tenants: name, id, created, profile (with its overrides), disabled')
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
            { header: 'PROFILE', cell: (t) => profileCell(t.profile) },
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
    .command('set-profile')
    .description(`set a tenant's compatibility profile (${PROFILE_NAMES.join(', ')}) and override single behaviours (docs/profiles.md)`)
    .argument('<NAME>', 'the tenant name')
    .argument('[PROFILE]', 'lenient, strict, entra or okta; without it the profile stays')
    .option('--set <BEHAVIOUR=true|false>', 'override one behaviour (repeatable), e.g. uniqueGroupDisplayName=true', repeat, [])
    .option('--unset <BEHAVIOUR>', "drop an override: the profile's value applies again (repeatable)", repeat, [])
    .option('--json', 'print the tenant as JSON')
    .action(
      cli.withStore<{ set: string[]; unset: string[]; json?: boolean }, [string, string | undefined]>(
        'write',
        async ({ store, io }, options, name, profile) => {
          const service = createTenantService(store);
          const current = (await service.findTenant(name)).profile;
          const overrides: Record<string, unknown> = { ...current.overrides };
          for (const setting of options.set) {
            const [behaviour, value] = setting.split('=', 2);
            if (!behaviour || (value !== 'true' && value !== 'false'))
              throw badRequest(`--set takes BEHAVIOUR=true or BEHAVIOUR=false; got "${setting}"`);
            overrides[behaviour] = value === 'true';
          }
          for (const behaviour of options.unset) delete overrides[behaviour];
          const tenant = await service.setProfile(name, profile ?? current.name, overrides);
          io.out(options.json ? JSON.stringify(tenant) : `tenant ${tenant.name} now uses profile ${profileCell(tenant.profile)}`);
        },
      ),
    );

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
