import { tenantRegistry } from '../schema/custom.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import { OPTIONAL_TYPES } from '../schema/types/catalogue.ts';
import type { ResourceTypeSpec } from '../schema/types/spec.ts';
import type { ResourceTypeStore } from '../store/ports/resource-types.ts';
import type { SchemaStore } from '../store/ports/schemas.ts';

/** Where a request's schemas come from: the registry of its tenant. */
export interface RegistrySource {
  forTenant(tenantId: string): Promise<SchemaRegistry>;
}

/**
 * How long a tenant's cached registry is trusted before its version is read again. A change made
 * in this process is seen at once (invalidate); one made by another instance or the CLI within
 * this time. Between checks a request costs no query at all.
 */
export const SCHEMA_CHECK_MS = 1000;

interface Entry {
  readonly version: number;
  readonly registry: SchemaRegistry;
  checkedAt: number;
}

export interface TenantRegistries extends RegistrySource {
  /** Forgets the tenant's registry: the next request reloads it (after a change in this process). */
  invalidate(tenantId: string): void;
}

/**
 * The per-tenant registry cache. A tenant's registry is the base registry plus the optional
 * resource types it enabled and its extensions; it is rebuilt only when the tenant's schema
 * version moves (both kinds of change bump it). A tenant without extensions
 * shares the base registry and pays one indexed version read per SCHEMA_CHECK_MS, not per
 * request. Concurrent requests of a tenant share one refresh.
 */
export function createTenantRegistries(
  store: SchemaStore & ResourceTypeStore,
  base: SchemaRegistry,
  options: { readonly checkMs?: number; readonly now?: () => number } = {},
): TenantRegistries {
  const checkMs = options.checkMs ?? SCHEMA_CHECK_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<SchemaRegistry>>();
  /** Bumped by invalidate, so that a refresh that started before a change does not cache what it read. */
  const epochs = new Map<string, number>();

  async function refresh(tenantId: string): Promise<SchemaRegistry> {
    const epoch = epochs.get(tenantId) ?? 0;
    const checkedAt = now();
    const version = await store.extensionsVersion(tenantId);
    const entry = entries.get(tenantId);
    if (entry && entry.version === version) {
      entry.checkedAt = checkedAt;
      return entry.registry;
    }
    const [loaded, enabled] =
      version === 0
        ? [{ version, extensions: [] }, []]
        : await Promise.all([store.loadExtensions(tenantId), store.enabledResourceTypes(tenantId)]);
    const registry = tenantRegistry(base, loaded.extensions, enabledSpecs(enabled));
    if ((epochs.get(tenantId) ?? 0) === epoch) entries.set(tenantId, { version: loaded.version, registry, checkedAt });
    return registry;
  }

  return {
    forTenant(tenantId) {
      const entry = entries.get(tenantId);
      if (entry && now() - entry.checkedAt < checkMs) return Promise.resolve(entry.registry);
      const inFlight = pending.get(tenantId);
      if (inFlight) return inFlight;
      const refreshing: Promise<SchemaRegistry> = refresh(tenantId).finally(() => {
        if (pending.get(tenantId) === refreshing) pending.delete(tenantId);
      });
      pending.set(tenantId, refreshing);
      return refreshing;
    },
    invalidate(tenantId) {
      epochs.set(tenantId, (epochs.get(tenantId) ?? 0) + 1);
      entries.delete(tenantId);
      pending.delete(tenantId);
    },
  };
}

/**
 * The catalogue's specs of the enabled names, in the catalogue's order (what /ResourceTypes
 * lists); a name the catalogue no longer has (a type removed from scimd) is left out.
 */
function enabledSpecs(names: readonly string[]): ResourceTypeSpec[] {
  const enabled = new Set(names);
  return OPTIONAL_TYPES.filter((spec) => enabled.has(spec.resourceType.name));
}
