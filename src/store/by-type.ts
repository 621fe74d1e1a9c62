import { ScimError } from '../errors/scim-error.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import { specOf } from '../schema/types/catalogue.ts';
import type { ResourceTypeStore } from './ports/resource-types.ts';
import type { CreateCommand, ResourceStore, WriteResult } from './ports/resources.ts';

/**
 * One ResourceStore for every resource type (docs/resource-types.md): users and groups go to the
 * store's own tables, the catalogue's `generic` types to typed_resources. The service layer sees
 * one port and never asks which. A list may span both kinds (the root /.search).
 */
export function resourcesByType(store: ResourceStore & ResourceTypeStore): ResourceStore {
  const generic = store.typedResources;
  const isGeneric = (type: ResourceTypeName) => specOf(type)?.storage === 'generic';
  const of = (type: ResourceTypeName): Omit<ResourceStore, 'query'> => (isGeneric(type) ? generic : store);
  return {
    get: (tenantId, type, id, include) => of(type).get(tenantId, type, id, include),
    // The store's lists read the table of any type, and both for a list of both (list-source.ts).
    query: (tenantId, query) => store.query(tenantId, query),
    readMembers: (tenantId, id, format) => store.readMembers(tenantId, id, format),
    create: (tenantId, command) => of(command.resourceType).create(tenantId, command),
    createMany: (tenantId, commands, maxFailures) => {
      const kinds = new Set(commands.map((c) => isGeneric(c.resourceType)));
      if (kinds.size <= 1) return of(commands[0]?.resourceType ?? 'User').createMany(tenantId, commands, maxFailures);
      return oneByOne(of, tenantId, commands, maxFailures ?? Infinity);
    },
    update: (tenantId, command) => of(command.resourceType).update(tenantId, command),
    delete: (tenantId, type, id, expectedVersion, events) => of(type).delete(tenantId, type, id, expectedVersion, events),
  };
}

/**
 * A batch of creates of both kinds (a Bulk request creating users and roles): each in its own
 * transaction, in order, answered as createMany answers (a ScimError for a create the client
 * caused to fail, and no more attempts after maxFailures of them).
 */
async function oneByOne(
  of: (type: ResourceTypeName) => Omit<ResourceStore, 'query'>,
  tenantId: string,
  commands: readonly CreateCommand[],
  maxFailures: number,
): Promise<Array<WriteResult | ScimError>> {
  const results: Array<WriteResult | ScimError> = [];
  let failures = 0;
  for (const command of commands) {
    if (failures >= maxFailures) break;
    try {
      results.push(await of(command.resourceType).create(tenantId, command));
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      results.push(error);
      failures++;
    }
  }
  return results;
}
