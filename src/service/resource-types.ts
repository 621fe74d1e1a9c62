import { invalidValue, notFound } from '../errors/scim-error.ts';
import { OPTIONAL_TYPES, optionalTypeNamed, specAt, specOf } from '../schema/types/catalogue.ts';
import type { ResourceTypeSpec } from '../schema/types/spec.ts';
import type { ResourceTypeStore } from '../store/ports/resource-types.ts';
import type { TenantStore } from '../store/ports/tenants.ts';

/** An optional type as the CLI, the admin API and the console show it for one tenant. */
export interface ResourceTypeState {
  /** RFC 7643 §6 ResourceType.name: `Role`. */
  readonly name: string;
  /** Its endpoint, without the slash: `Roles`, the name the CLI takes. */
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly enabled: boolean;
  /** Whether the admin API lists its resources (`GET /admin/tenants/{name}/{endpoint in lowercase}`): the generic store's types. */
  readonly browsable: boolean;
}

/**
 * Per-tenant enablement of the optional resource types (docs/resource-types.md): the one service
 * behind `scimd resource-types`, the admin API and the console. A type is named by its endpoint
 * (`Roles`) or its name (`Role`), in any case; a name scimd does not know is refused whole, before
 * anything changes.
 */
export function createResourceTypeService(deps: {
  readonly store: ResourceTypeStore & Pick<TenantStore, 'findTenantByName'>;
  /** Called after a change, so that this process's cached registry of the tenant is dropped at once. */
  readonly onChange?: (tenantId: string) => void;
}) {
  const { store } = deps;

  async function tenantIdOf(name: string): Promise<string> {
    const tenant = await store.findTenantByName(name);
    if (!tenant) throw notFound(`no tenant named "${name}"`);
    return tenant.id;
  }

  function states(enabled: readonly string[]): ResourceTypeState[] {
    const on = new Set(enabled);
    return OPTIONAL_TYPES.map((spec) => ({
      name: spec.resourceType.name,
      endpoint: spec.resourceType.endpoint.slice(1),
      description: spec.resourceType.description,
      schema: spec.resourceType.schema,
      enabled: on.has(spec.resourceType.name),
      browsable: spec.storage === 'generic',
    }));
  }

  /** Every optional type, and whether the tenant enabled it. */
  async function list(tenant: string): Promise<ResourceTypeState[]> {
    return states(await store.enabledResourceTypes(await tenantIdOf(tenant)));
  }

  /** Enables (`enabled`) or disables the named types; answers every optional type's state after. */
  async function set(tenant: string, names: readonly string[], enabled: boolean): Promise<ResourceTypeState[]> {
    const specs = names.map(specNamed);
    if (specs.length === 0) throw invalidValue(`name at least one resource type: ${optionalNames()}`);
    const tenantId = await tenantIdOf(tenant);
    const after = await store.setResourceTypes(tenantId, [...new Set(specs.map((s) => s.resourceType.name))], enabled);
    deps.onChange?.(tenantId);
    return states(after);
  }

  return {
    list,
    enable: (tenant: string, names: readonly string[]) => set(tenant, names, true),
    disable: (tenant: string, names: readonly string[]) => set(tenant, names, false),
  };
}

const optionalNames = () => OPTIONAL_TYPES.map((s) => s.resourceType.endpoint.slice(1)).join(', ');

function specNamed(name: string): ResourceTypeSpec {
  const spec = optionalTypeNamed(name);
  if (spec) return spec;
  if (specAt(name) ?? specOf(name)) throw invalidValue(`${name} is always enabled; the optional resource types are ${optionalNames()}`);
  throw invalidValue(`no optional resource type "${name}"; the optional resource types are ${optionalNames()}`);
}

export type ResourceTypeService = ReturnType<typeof createResourceTypeService>;
