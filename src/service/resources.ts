import { notFound } from '../errors/scim-error.ts';
import { DEFAULT_FILTER_LIMITS, type FilterLimits } from '../filter/parser.ts';
import { DEFAULT_MAX_OPERATIONS } from '../patch/parse.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import { specOf } from '../schema/types/catalogue.ts';
import type { ResourceStore } from '../store/ports/resources.ts';
import { type JsonResult, readGroupWithMembers } from './group-stream.ts';
import type { ListParams, Selection } from './list-params.ts';
import { type ListLimits, listResources } from './resource-list.ts';
import { includeFor, loadResource, present, type RequestScope, type ResourceResult } from './resource-view.ts';
import { createResourceWrites } from './resource-writes.ts';
import type { RegistrySource } from './schema-registries.ts';

export interface ResourceServiceDeps {
  readonly store: ResourceStore;
  /** Each tenant's schemas: the core ones plus its extensions (schema-registries.ts). */
  readonly registries: RegistrySource;
  readonly clock: () => Date;
  readonly limits: ListLimits;
  readonly hashPassword: (password: string) => Promise<string>;
  /** Called after each write that committed events (the relay wakes up instead of waiting to poll). */
  readonly onEvents?: () => void;
  /** Bounds on filters, PATCH paths, sortBy and PATCH operations; their owners' defaults when absent. */
  readonly requestLimits?: { readonly filter: FilterLimits; readonly maxPatchOperations: number };
}

/**
 * The use-cases of RFC 7644 §3 on Users and Groups: plain values in, plain values out, no HTTP.
 * Reads are here and in resource-list.ts (list planning: filters, paging, cursors); writes are
 * in resource-writes.ts, each one store call, hence one transaction.
 */
export function createResourceService(deps: ResourceServiceDeps) {
  const { store, registries, clock, limits } = deps;
  const bounds = deps.requestLimits ?? { filter: DEFAULT_FILTER_LIMITS, maxPatchOperations: DEFAULT_MAX_OPERATIONS };
  const listDeps = { store, registries, clock, limits, filterLimits: bounds.filter };
  const writes = createResourceWrites({
    store,
    registries,
    clock,
    hashPassword: deps.hashPassword,
    onEvents: deps.onEvents ?? (() => {}),
    filterLimits: bounds.filter,
    maxPatchOperations: bounds.maxPatchOperations,
  });

  /**
   * The types this service serves (the catalogue's built-in and generic ones), for the tenant: a
   * type it has not enabled, or one served by code of its own (GroupMembers), is 404. The HTTP
   * routes answer a disabled type's endpoint before this (requireEnabled); this is what a Bulk
   * operation on such a path meets. Built-in types are always there and cost nothing.
   */
  async function requireType(scope: RequestScope, type: ResourceTypeName): Promise<void> {
    const storage = specOf(type)?.storage;
    if (storage === 'builtin') return;
    if (storage !== 'generic' || !(await registries.forTenant(scope.tenantId)).resourceType(type)) {
      throw notFound(`no resource type ${type} at this tenant's endpoints`);
    }
  }

  /** RFC 7644 §3.4.1. */
  async function get(scope: RequestScope, type: ResourceTypeName, id: string, selection: Selection): Promise<ResourceResult> {
    await requireType(scope, type);
    const registry = await registries.forTenant(scope.tenantId);
    return present(registry, scope, await loadResource(store, scope, type, id, includeFor(registry, type, selection)), selection);
  }

  /** RFC 7644 §3.4.1 as a GET answers it: a group with members as streamed JSON text (group-stream.ts). */
  async function read(scope: RequestScope, type: ResourceTypeName, id: string, selection: Selection): Promise<ResourceResult | JsonResult> {
    await requireType(scope, type);
    const registry = await registries.forTenant(scope.tenantId);
    const include = includeFor(registry, type, selection);
    if (include.members) return readGroupWithMembers(store, registry, scope, id, selection);
    return present(registry, scope, await loadResource(store, scope, type, id, include), selection);
  }

  /**
   * The types this service serves for the tenant (every type requireType lets through), in the
   * order /ResourceTypes lists them: what the root /.search (RFC 7644 §3.4.3) and the root delta
   * query cover.
   */
  async function servedTypes(scope: RequestScope): Promise<ResourceTypeName[]> {
    const registry = await registries.forTenant(scope.tenantId);
    return registry
      .resourceTypes()
      .map((t) => t.name)
      .filter((name) => specOf(name)?.storage !== 'custom');
  }

  /** RFC 7644 §3.4.2 and RFC 9865 (resource-list.ts). */
  async function list(scope: RequestScope, types: readonly ResourceTypeName[], params: ListParams, ids?: readonly string[]) {
    for (const type of types) await requireType(scope, type);
    return listResources(listDeps, scope, types, params, ids);
  }

  /** A write of resource-writes.ts, after requireType. */
  function checked<A extends [RequestScope, ResourceTypeName, ...unknown[]], R>(write: (...args: A) => Promise<R>) {
    return async (...args: A): Promise<R> => {
      await requireType(args[0], args[1]);
      return write(...args);
    };
  }

  return {
    servedTypes,
    list,
    get,
    read,
    create: checked(writes.create),
    prepareCreate: checked(writes.prepareCreate),
    createPrepared: writes.createPrepared,
    replace: checked(writes.replace),
    patch: checked(writes.patch),
    remove: checked(writes.remove),
    // A group's members: Group is always there.
    changeMembers: writes.changeMembers,
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;
