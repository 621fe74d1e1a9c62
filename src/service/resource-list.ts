import { invalidValue, ScimError } from '../errors/scim-error.ts';
import type { Filter as ParsedFilter } from '../filter/ast.ts';
import { type FilterLimits, type FilterSyntax, LENIENT_FILTER_SYNTAX, parseFilter, RFC_FILTER_SYNTAX } from '../filter/parser.ts';
import { parsePatchPath } from '../filter/path.ts';
import { resolveFilter } from '../filter/resolve.ts';
import { needsAttribute } from '../schema/project.ts';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/registry.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import type { Include, Page, QueryResult, QueryTarget, ResourceStore } from '../store/ports/resources.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.ts';
import type { ListParams, Selection } from './list-params.ts';
import { asksMemberCount, present, type RequestScope } from './resource-view.ts';
import type { RegistrySource } from './schema-registries.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface ListLimits {
  readonly maxResults: number;
  readonly defaultPageSize: number;
  readonly cursorTimeoutSeconds: number;
}

export interface ResourceListDeps {
  readonly store: Pick<ResourceStore, 'query'>;
  readonly registries: RegistrySource;
  readonly clock: () => Date;
  readonly limits: ListLimits;
  /** Bounds on the filter and sortBy of a list request. */
  readonly filterLimits: FilterLimits;
}

/**
 * RFC 7644 §3.4.2 (filter, sort, index paging) and RFC 9865 (cursor paging): plans the store query
 * (the targets, the page) and answers its result as a ListResponse. `ids`, when given, narrows the
 * query to those resources (the changed resources of a delta query).
 */
export async function listResources(
  deps: ResourceListDeps,
  scope: RequestScope,
  types: readonly ResourceTypeName[],
  params: ListParams,
  ids?: readonly string[],
): Promise<Record<string, unknown>> {
  const { store, registries, clock, limits } = deps;
  const registry = await registries.forTenant(scope.tenantId);
  const syntax = scope.profile.requireQuotedFilterValues ? RFC_FILTER_SYNTAX : LENIENT_FILTER_SYNTAX;
  const targets = queryTargets(registry, types, params, ids, deps.filterLimits, syntax);
  const selection: Selection = { attributes: params.attributes, excludedAttributes: params.excludedAttributes };
  const plan = planPage(params, limits, [types, params.filter, params.sortBy, params.descending], clock());
  const include: Include = {
    members: types.includes('Group') && needsAttribute(registry, 'Group', selection, 'members'),
    groups: types.includes('User') && needsAttribute(registry, 'User', selection, 'groups'),
    ...(types.includes('Group') && asksMemberCount(registry, selection) ? { memberCount: true } : {}),
  };
  const result =
    targets.length === 0
      ? { totalResults: 0, resources: [], firstKey: undefined, lastKey: undefined, hasNext: false, hasPrevious: false }
      : await store.query(scope.tenantId, { targets, descending: params.descending, page: plan.page, include });
  return listResponse(
    plan,
    result,
    result.resources.map((stored) => present(registry, scope, stored, selection).resource),
  );
}

/** The page a list request asks for (RFC 7644 §3.4.2.4 index paging, RFC 9865 cursors), planned before its query. */
export interface PagePlan {
  readonly page: Page;
  readonly cursorMode: boolean;
  readonly startIndex: number;
  /** The total a cursor carries from the first page of its walk. */
  readonly carriedTotal: number | undefined;
  /** Of the query the cursors belong to (its resource types, filter and order). */
  readonly fingerprint: string;
  readonly now: Date;
}

/** What the answer to a page needs of its query's result, besides the resources. */
export type PageResult = Pick<QueryResult, 'totalResults' | 'firstKey' | 'lastKey' | 'hasNext' | 'hasPrevious'>;

/** The page `params` ask for; `query` names the query (types, filter, order), fingerprinted into its cursors so that they serve no other. */
export function planPage(params: ListParams, limits: ListLimits, query: readonly unknown[], now: Date): PagePlan {
  const cursorMode = params.cursor !== undefined;
  if (cursorMode && params.startIndex !== undefined) {
    throw invalidValue('startIndex and cursor cannot be used together (RFC 9865 §2)');
  }
  if (cursorMode && params.count !== undefined && params.count < 0) {
    throw new ScimError(400, 'invalidCount', `count must not be negative, got ${params.count}`);
  }
  // RFC 7644 §3.4.2.4: a negative count means 0; above the maximum, the maximum.
  const count = Math.min(Math.max(params.count ?? limits.defaultPageSize, 0), limits.maxResults);
  const startIndex = Math.max(params.startIndex ?? 1, 1);
  const fingerprint = cursorMode ? queryFingerprint(query) : '';
  if (cursorMode && params.cursor !== '') {
    const decoded = decodeCursor(params.cursor!, fingerprint, now, limits.cursorTimeoutSeconds);
    const page: Page = { kind: 'cursor', count, withTotal: false, [decoded.direction]: decoded.key };
    return { page, cursorMode, startIndex, carriedTotal: decoded.totalResults, fingerprint, now };
  }
  const page: Page = cursorMode ? { kind: 'cursor', count, withTotal: true } : { kind: 'index', startIndex, count };
  return { page, cursorMode, startIndex, carriedTotal: undefined, fingerprint, now };
}

/** The ListResponse (RFC 7644 §3.4.2) of a page: its resources, and the cursors to the pages beside it. */
export function listResponse(plan: PagePlan, result: PageResult, resources: readonly unknown[]): Record<string, unknown> {
  // A cursor walk reports the total counted on its first page: a snapshot, so that a page costs
  // the same at the end of the walk as at the start (docs/filtering.md, Paging).
  const totalResults = result.totalResults ?? plan.carriedTotal ?? 0;
  const response: Record<string, unknown> = {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
  };
  if (plan.cursorMode) {
    if (result.hasNext && result.lastKey) {
      response['nextCursor'] = encodeCursor('after', result.lastKey, totalResults, plan.fingerprint, plan.now);
    }
    if (result.hasPrevious && result.firstKey) {
      response['previousCursor'] = encodeCursor('before', result.firstKey, totalResults, plan.fingerprint, plan.now);
    }
  } else {
    response['startIndex'] = plan.startIndex;
  }
  response['Resources'] = resources;
  return response;
}

/**
 * Resolves filter and sortBy for each resource type. For a root-level search a type on which
 * the filter names unknown attributes simply contributes nothing, and a type without the sortBy
 * attribute sorts as if its value were absent; only when no type can take the filter (or the
 * sortBy) is it an error. `syntax`: whether the filter may hold unquoted values.
 */
export function queryTargets(
  registry: SchemaRegistry,
  types: readonly ResourceTypeName[],
  params: Pick<ListParams, 'filter' | 'sortBy'>,
  ids: readonly string[] | undefined,
  filterLimits: FilterLimits,
  syntax: FilterSyntax,
): QueryTarget[] {
  const clientFilter = params.filter !== undefined ? parseFilter(params.filter, filterLimits, syntax) : undefined;
  const parsed: ParsedFilter | undefined =
    ids === undefined ? clientFilter : clientFilter ? { kind: 'and', left: clientFilter, right: idIn(ids) } : idIn(ids);
  const lenient = types.length > 1;
  const filters = types.map((type) => attempt(() => (parsed ? resolveFilter(parsed, registry, type) : undefined)));
  const sorts = types.map((type) =>
    attempt(() => (params.sortBy !== undefined ? resolveSortBy(registry, type, params.sortBy, filterLimits) : undefined)),
  );
  for (const outcomes of [filters, sorts]) {
    const firstError = outcomes.find((o) => o.error)?.error;
    if (firstError && (!lenient || outcomes.every((o) => o.error))) throw firstError;
  }
  const targets: QueryTarget[] = [];
  types.forEach((type, i) => {
    const filter = filters[i]!;
    const sortBy = sorts[i]!.value;
    if (filter.error) return;
    targets.push({ resourceType: type, ...(filter.value ? { filter: filter.value } : {}), ...(sortBy ? { sortBy } : {}) });
  });
  return targets;
}

function resolveSortBy(registry: SchemaRegistry, type: ResourceTypeName, sortBy: string, filterLimits: FilterLimits): ResolvedAttribute {
  const path = parsePatchPath(sortBy, filterLimits);
  const resolved =
    path.filter === undefined
      ? registry.resolve(type, { uri: path.attr.uri, name: path.attr.name, subAttr: path.attr.subAttr })
      : undefined;
  if (!resolved) throw invalidValue(`sortBy "${sortBy}" names no attribute of ${type}`);
  const multiValued = resolved.attribute.multiValued || resolved.leaf.multiValued;
  if (multiValued || resolved.leaf.type === 'complex') {
    throw invalidValue(`sortBy "${sortBy}" must name a singular, simple attribute`);
  }
  return resolved;
}

/** `id eq "a" or id eq "b" or …` as a balanced tree, so that its depth grows with log2 of the ids. */
function idIn(ids: readonly string[]): ParsedFilter {
  if (ids.length === 0) return { kind: 'not', filter: { kind: 'present', path: ID_PATH } };
  if (ids.length === 1) return { kind: 'compare', path: ID_PATH, op: 'eq', value: ids[0]! };
  const half = Math.ceil(ids.length / 2);
  return { kind: 'or', left: idIn(ids.slice(0, half)), right: idIn(ids.slice(half)) };
}

const ID_PATH = { uri: undefined, name: 'id', subAttr: undefined, offset: 0 } as const;

/** A value, or the ScimError computing it threw (other errors propagate). */
function attempt<T>(compute: () => T): { value?: T; error?: ScimError } {
  try {
    return { value: compute() };
  } catch (error) {
    if (error instanceof ScimError) return { error };
    throw error;
  }
}
