import type { Command } from 'commander';
import { createResourceTypeService, type ResourceTypeState } from '../service/resource-types.ts';
import type { Store } from '../store/ports/store.ts';
import type { Cli } from './cli.ts';
import type { Io } from './output.ts';
import { printList } from './output.ts';

const service = (store: Store) => createResourceTypeService({ store });

function print(io: Io, states: readonly ResourceTypeState[], json: boolean | undefined): void {
  printList<ResourceTypeState>(io, states, {
    json,
    noun: 'optional resource types',
    columns: [
      { header: 'ENDPOINT', cell: (s) => s.endpoint },
      { header: 'NAME', cell: (s) => s.name },
      { header: 'ENABLED', cell: (s) => (s.enabled ? 'enabled' : 'disabled') },
      { header: 'SCHEMA', cell: (s) => s.schema },
    ],
  });
}

/**
 * `scimd resource-types …`: a tenant's optional resource types (docs/resource-types.md), through
 * the same service as the admin API. Servers on the database see a change within a second.
 */
export function registerResourceTypeCommands(program: Command, cli: Cli): void {
  const group = program
    .command('resource-types')
    .description("a tenant's optional resource types: Roles, Entitlements, GroupMembers, Agents, Devices");

  group
    .command('list')
    .description('list the optional resource types and whether the tenant enabled each')
    .requiredOption('--tenant <NAME>', 'the tenant')
    .option('--json', 'print a JSON array')
    .action(
      cli.withStore<{ tenant: string; json?: boolean }>('read', async ({ store, io }, options) => {
        print(io, await service(store).list(options.tenant), options.json);
      }),
    );

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    group
      .command(verb)
      .description(
        enabled
          ? 'enable resource types for the tenant: its /ResourceTypes and /Schemas list them and their endpoints answer'
          : 'disable resource types for the tenant: their endpoints answer 404; their resources are kept',
      )
      .requiredOption('--tenant <NAME>', 'the tenant')
      .option('--json', 'print a JSON array of every optional type after the change')
      .argument('<TYPES...>', 'endpoints or names, in any case: Roles Entitlements GroupMembers Agents Devices')
      .action(
        cli.withStore<{ tenant: string; json?: boolean }, [string[]]>('write', async ({ store, io }, options, types) => {
          const states = enabled ? await service(store).enable(options.tenant, types) : await service(store).disable(options.tenant, types);
          print(io, states, options.json);
        }),
      );
  }
}
