import type { ResourceStore } from './resources.ts';

/** The optional resource types each tenant enabled (docs/resource-types.md). */
export interface ResourceTypeStore {
  /** The names (`Role`, `Device`) of the optional types the tenant enabled, sorted; [] when none. */
  enabledResourceTypes(tenantId: string): Promise<readonly string[]>;
  /**
   * Enables (or disables) the named types in one transaction, and bumps the tenant's schema
   * version (SchemaStore.extensionsVersion) so that every instance's cached registry of the tenant
   * reloads, as after a change of its extension schemas. Enabling an enabled type, or disabling a
   * disabled one, changes nothing. Disabling keeps the type's resources: enabled again, they are
   * there. Returns the enabled names after the change, sorted.
   */
  setResourceTypes(tenantId: string, names: readonly string[], enabled: boolean): Promise<readonly string[]>;
  /**
   * The resources of the catalogue's `generic` types (Role, Entitlement, Agent, Device): one table
   * for every such type, served by the same port as users and groups (src/store/by-type.ts). Their
   * lists are the store's `query`, which reads whichever table holds a list's types.
   */
  readonly typedResources: Omit<ResourceStore, 'query'>;
}
