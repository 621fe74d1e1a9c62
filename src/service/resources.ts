import { randomUUID } from 'node:crypto';
import { invalidValue, notFound, ScimError } from '../errors/scim-error.ts';
import { eventBuilders } from '../events/build.ts';
import type { Filter as ParsedFilter } from '../filter/ast.ts';
import { DEFAULT_FILTER_LIMITS, type FilterLimits, parseFilter } from '../filter/parser.ts';
import { parsePatchPath } from '../filter/path.ts';
import { resolveFilter } from '../filter/resolve.ts';
import { applyPatch } from '../patch/apply.ts';
import { changedAttributes } from '../patch/diff.ts';
import { DEFAULT_MAX_OPERATIONS, parsePatchRequest } from '../patch/parse.ts';
import { needsAttribute, projectResource } from '../schema/project.ts';
import type { ResolvedAttribute, SchemaRegistry } from '../schema/registry.ts';
import type { MemberDelta, MemberOp, ReferenceView, ResourceTypeName, StoredResource } from '../schema/resource.ts';
import { validateResource } from '../schema/validate.ts';
import type { CreateCommand, Include, Page, QueryTarget, ResourceStore, WriteResult } from '../store/ports/resources.ts';
import { VersionConflictError } from '../store/version-conflict.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.ts';
import { jsonEqual } from './deep-equal.ts';
import { checkIfMatch } from './etag.ts';
import type { ListParams, Selection } from './list-params.ts';
import { schemasOf, toRepresentation } from './representation.ts';
import type { RegistrySource } from './schema-registries.ts';
import { uniqueValuesOf } from './unique-values.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Where a request acts: the tenant, and the base URL its resources' locations start with. */
export interface RequestScope {
  readonly tenantId: string;
  readonly baseUrl: string;
}

export interface ListLimits {
  readonly maxResults: number;
  readonly defaultPageSize: number;
  readonly cursorTimeoutSeconds: number;
}

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

export interface ResourceResult {
  readonly resource: Record<string, unknown>;
  readonly version: number;
  readonly location: string;
}

/** How often a write without If-Match re-reads and retries when another writer got there first. */
const MAX_WRITE_ATTEMPTS = 12;

/**
 * Writers of one resource on several instances collide in bursts (six member PATCHes of one group
 * at once): a randomised, growing pause spreads the retries instead of replaying the collision.
 */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 64);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * The use-cases of RFC 7644 §3 on Users and Groups: plain values in, plain values out, no HTTP.
 * Each write is one store call, hence one transaction.
 */
export function createResourceService(deps: ResourceServiceDeps) {
  const { store, registries, clock, limits } = deps;
  const bounds = deps.requestLimits ?? { filter: DEFAULT_FILTER_LIMITS, maxPatchOperations: DEFAULT_MAX_OPERATIONS };

  function includeFor(registry: SchemaRegistry, type: ResourceTypeName, selection: Selection): Include {
    return type === 'Group'
      ? { members: needsAttribute(registry, type, selection, 'members') }
      : { groups: needsAttribute(registry, type, selection, 'groups') };
  }

  const onEvents = deps.onEvents ?? (() => {});

  /** The event builders of a request: events carry the resource as GET shows it, never a password. */
  function eventsFor(registry: SchemaRegistry, scope: RequestScope) {
    return eventBuilders(scope.baseUrl, (stored) =>
      projectResource(registry, stored.resourceType, toRepresentation(registry, scope.baseUrl, stored), {}),
    );
  }

  function extensionIds(registry: SchemaRegistry, type: ResourceTypeName): ReadonlySet<string> {
    return new Set((registry.resourceType(type)?.schemaExtensions ?? []).map((e) => registry.schema(e.schema)?.id ?? e.schema));
  }

  function present(registry: SchemaRegistry, scope: RequestScope, stored: StoredResource, selection: Selection): ResourceResult {
    const full = toRepresentation(registry, scope.baseUrl, stored);
    const meta = full['meta'] as { location: string };
    return { resource: projectResource(registry, stored.resourceType, full, selection), version: stored.version, location: meta.location };
  }

  async function load(scope: RequestScope, type: ResourceTypeName, id: string, include: Include): Promise<StoredResource> {
    const stored = await store.get(scope.tenantId, type, id, include);
    if (!stored) throw notFound(`${type} ${id} not found`);
    return stored;
  }

  function resolveSortBy(registry: SchemaRegistry, type: ResourceTypeName, sortBy: string): ResolvedAttribute {
    const path = parsePatchPath(sortBy, bounds.filter);
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

  /**
   * Resolves filter and sortBy for each resource type. For a root-level search a type on which
   * the filter names unknown attributes simply contributes nothing, and a type without the sortBy
   * attribute sorts as if its value were absent; only when no type can take the filter (or the
   * sortBy) is it an error.
   */
  function targetsFor(
    registry: SchemaRegistry,
    types: readonly ResourceTypeName[],
    params: Pick<ListParams, 'filter' | 'sortBy'>,
    ids: readonly string[] | undefined,
  ): QueryTarget[] {
    const clientFilter = params.filter !== undefined ? parseFilter(params.filter, bounds.filter) : undefined;
    const parsed: ParsedFilter | undefined =
      ids === undefined ? clientFilter : clientFilter ? { kind: 'and', left: clientFilter, right: idIn(ids) } : idIn(ids);
    const lenient = types.length > 1;
    const filters = types.map((type) => attempt(() => (parsed ? resolveFilter(parsed, registry, type) : undefined)));
    const sorts = types.map((type) =>
      attempt(() => (params.sortBy !== undefined ? resolveSortBy(registry, type, params.sortBy) : undefined)),
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

  /**
   * RFC 7644 §3.4.2 (filter, sort, index paging) and RFC 9865 (cursor paging). `ids`, when given,
   * narrows the query to those resources (the changed resources of a delta query).
   */
  async function list(scope: RequestScope, types: readonly ResourceTypeName[], params: ListParams, ids?: readonly string[]) {
    const registry = await registries.forTenant(scope.tenantId);
    const targets = targetsFor(registry, types, params, ids);
    const selection: Selection = { attributes: params.attributes, excludedAttributes: params.excludedAttributes };
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
    const fingerprint = cursorMode ? queryFingerprint([types, params.filter, params.sortBy, params.descending]) : '';
    const now = clock();
    let page: Page;
    let carriedTotal: number | undefined;
    if (cursorMode && params.cursor !== '') {
      const decoded = decodeCursor(params.cursor!, fingerprint, now, limits.cursorTimeoutSeconds);
      carriedTotal = decoded.totalResults;
      page = { kind: 'cursor', count, withTotal: false, [decoded.direction]: decoded.key };
    } else {
      page = cursorMode ? { kind: 'cursor', count, withTotal: true } : { kind: 'index', startIndex, count };
    }
    const include: Include = {
      members: types.includes('Group') && needsAttribute(registry, 'Group', selection, 'members'),
      groups: types.includes('User') && needsAttribute(registry, 'User', selection, 'groups'),
    };
    const result =
      targets.length === 0
        ? { totalResults: 0, resources: [], firstKey: undefined, lastKey: undefined, hasNext: false, hasPrevious: false }
        : await store.query(scope.tenantId, { targets, descending: params.descending, page, include });
    const resources = result.resources.map((stored) => present(registry, scope, stored, selection).resource);
    // A cursor walk reports the total counted on its first page: a snapshot, so that a page costs
    // the same at the end of the walk as at the start (docs/filtering.md, Paging).
    const totalResults = result.totalResults ?? carriedTotal ?? 0;
    const response: Record<string, unknown> = {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults,
      itemsPerPage: resources.length,
    };
    if (cursorMode) {
      if (result.hasNext && result.lastKey) response['nextCursor'] = encodeCursor('after', result.lastKey, totalResults, fingerprint, now);
      if (result.hasPrevious && result.firstKey) {
        response['previousCursor'] = encodeCursor('before', result.firstKey, totalResults, fingerprint, now);
      }
    } else {
      response['startIndex'] = startIndex;
    }
    response['Resources'] = resources;
    return response;
  }

  async function get(scope: RequestScope, type: ResourceTypeName, id: string, selection: Selection): Promise<ResourceResult> {
    const registry = await registries.forTenant(scope.tenantId);
    return present(registry, scope, await load(scope, type, id, includeFor(registry, type, selection)), selection);
  }

  /** RFC 7644 §3.3. */
  async function create(scope: RequestScope, type: ResourceTypeName, body: unknown, selection: Selection): Promise<ResourceResult> {
    const registry = await registries.forTenant(scope.tenantId);
    const command = await createCommand(registry, scope, type, body);
    let written: WriteResult;
    try {
      written = await store.create(scope.tenantId, command);
    } catch (error) {
      throw await withHolder(registry, scope, type, command.doc, error);
    }
    onEvents();
    return presentCreated(registry, scope, written, selection);
  }

  /** What create() validates and hashes before its write: the store command, events included. */
  async function prepareCreate(scope: RequestScope, type: ResourceTypeName, body: unknown): Promise<CreateCommand> {
    return createCommand(await registries.forTenant(scope.tenantId), scope, type, body);
  }

  async function createCommand(
    registry: SchemaRegistry,
    scope: RequestScope,
    type: ResourceTypeName,
    body: unknown,
  ): Promise<CreateCommand> {
    const validated = validateResource(registry, type, body, { mode: 'create' });
    const uniqueValues = uniqueValuesOf(registry, type, validated.doc);
    const passwordHash = validated.password !== undefined ? await deps.hashPassword(validated.password) : undefined;
    return {
      resourceType: type,
      id: randomUUID(),
      doc: validated.doc,
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      ...(validated.members !== undefined ? { members: validated.members } : {}),
      ...(uniqueValues !== undefined ? { uniqueValues } : {}),
      now: clock().toISOString(),
      events: eventsFor(registry, scope).created(type),
    };
  }

  /**
   * Prepared creates (prepareCreate) written by one store call, `store.createMany`: one
   * transaction, each create in a savepoint of its own with its own events, so that each is what
   * create() would have committed, but the batch pays for one commit (Bulk). A create that fails
   * is answered by its ScimError; after `maxFailures` of them the rest are not attempted.
   */
  async function createPrepared(
    scope: RequestScope,
    commands: readonly CreateCommand[],
    selection: Selection,
    maxFailures?: number,
  ): Promise<Array<ResourceResult | ScimError>> {
    const registry = await registries.forTenant(scope.tenantId);
    const written = await store.createMany(scope.tenantId, commands, maxFailures);
    if (written.some((w) => !(w instanceof ScimError))) onEvents();
    const results: Array<ResourceResult | ScimError> = [];
    for (const w of written) results.push(w instanceof ScimError ? w : await presentCreated(registry, scope, w, selection));
    return results;
  }

  /**
   * A create answers from its commit, not from a later step that could fail and turn a committed
   * create into a 503 (and the client's retry into a 409). A new user belongs to no group yet, so
   * nothing is read for it; the registry is the one that validated the body. A new group's members
   * are read back for their names; when that read fails, they come from the write, without names.
   */
  async function presentCreated(
    registry: SchemaRegistry,
    scope: RequestScope,
    written: WriteResult,
    selection: Selection,
  ): Promise<ResourceResult> {
    const { resource } = written;
    const include = includeFor(registry, resource.resourceType, selection);
    const stored = include.members
      ? await load(scope, resource.resourceType, resource.id, include).catch((error: unknown) => {
          if (!(error instanceof ScimError) || error.status !== 503) throw error;
          return { ...resource, members: membersAdded(written.memberDelta) };
        })
      : resource;
    return present(registry, scope, stored, selection);
  }

  /**
   * A create refused because its userName (a group's displayName) is taken answers 409 with the
   * location of the resource that holds it, in `Location` and in the detail: a client whose first
   * attempt committed although it was answered 503 can link that resource (docs/protocol.md). The
   * refusal stands as it was when that resource cannot be read.
   */
  async function withHolder(
    registry: SchemaRegistry,
    scope: RequestScope,
    type: ResourceTypeName,
    doc: Readonly<Record<string, unknown>>,
    error: unknown,
  ): Promise<unknown> {
    if (!(error instanceof ScimError) || error.status !== 409) return error;
    const attribute = type === 'User' ? 'userName' : 'displayName';
    const name = doc[attribute];
    if (typeof name !== 'string') return error;
    try {
      const targets = targetsFor(registry, [type], { filter: `${attribute} eq ${JSON.stringify(name)}`, sortBy: undefined }, undefined);
      const page: Page = { kind: 'index', startIndex: 1, count: 1 };
      const [holder] = (await store.query(scope.tenantId, { targets, descending: false, page, include: {} })).resources;
      if (!holder) return error;
      const { location } = present(registry, scope, holder, {});
      return new ScimError(409, 'uniqueness', `${error.detail}: ${location}`, { location });
    } catch {
      return error;
    }
  }

  /** RFC 7644 §3.5.1: PUT replaces every readWrite attribute; an unchanged body writes nothing. */
  async function replace(
    scope: RequestScope,
    type: ResourceTypeName,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    selection: Selection,
  ): Promise<ResourceResult> {
    const registry = await registries.forTenant(scope.tenantId);
    await writeChange(registry, scope, type, id, ifMatch, 'PUT', { members: type === 'Group' }, async (existing) => {
      const validated = validateResource(registry, type, body, { mode: 'replace', existing: existing.doc });
      return {
        ...(jsonEqual(validated.doc, existing.doc) ? {} : { doc: validated.doc }),
        ...(validated.password !== undefined ? { passwordHash: await deps.hashPassword(validated.password) } : {}),
        memberOps: type === 'Group' ? memberDiff(existing, validated.members ?? []) : [],
      };
    });
    return present(registry, scope, await load(scope, type, id, includeFor(registry, type, selection)), selection);
  }

  /**
   * RFC 7644 §3.5.2: the operations apply to a copy, the whole result is validated, and one
   * conditional write stores it with the member changes, or nothing changes. A PATCH that changes
   * nothing writes nothing and keeps the version.
   */
  async function patch(
    scope: RequestScope,
    type: ResourceTypeName,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    selection: Selection,
  ): Promise<ResourceResult> {
    const operations = parsePatchRequest(body, { maxOperations: bounds.maxPatchOperations, pathLimits: bounds.filter });
    // Entra: "returning a body with all members isn't advisable": a group PATCH answers without
    // members unless the client names them in `attributes`.
    const answer: Selection =
      type === 'Group' && selection.attributes === undefined
        ? { excludedAttributes: [...(selection.excludedAttributes ?? []), 'members'] }
        : selection;
    const registry = await registries.forTenant(scope.tenantId);
    await writeChange(registry, scope, type, id, ifMatch, 'PATCH', {}, async (existing) => {
      const result = applyPatch(registry, type, existing.doc, operations);
      const docChanged = result.changedAttributes.some((a) => a !== 'members' && a !== 'password');
      const doc = docChanged
        ? validateResource(
            registry,
            type,
            { schemas: schemasOf(registry, type, result.doc), ...result.doc },
            { mode: 'replace', existing: existing.doc },
          ).doc
        : undefined;
      return {
        ...(doc !== undefined ? { doc } : {}),
        ...(result.password !== undefined ? { passwordHash: await deps.hashPassword(result.password) } : {}),
        memberOps: result.memberOps,
      };
    });
    return present(registry, scope, await load(scope, type, id, includeFor(registry, type, answer)), answer);
  }

  /**
   * Load → compute the change → one conditional write with its events. Without If-Match, a write
   * that lost the race to another writer re-reads and recomputes; with If-Match it is 412. A change
   * that changes nothing writes nothing.
   */
  async function writeChange(
    registry: SchemaRegistry,
    scope: RequestScope,
    type: ResourceTypeName,
    id: string,
    ifMatch: string | undefined,
    method: 'PUT' | 'PATCH',
    include: Include,
    compute: (existing: StoredResource) => Promise<Change>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const existing = await load(scope, type, id, include);
      checkIfMatch(ifMatch, existing.version);
      const change = await compute(existing);
      if (change.doc === undefined && change.passwordHash === undefined && change.memberOps.length === 0) return;
      const uniqueValues = change.doc !== undefined ? uniqueValuesOf(registry, type, change.doc) : undefined;
      try {
        await store.update(scope.tenantId, {
          resourceType: type,
          id,
          expectedVersion: existing.version,
          ...(change.doc !== undefined ? { doc: change.doc } : {}),
          ...(change.passwordHash !== undefined ? { passwordHash: change.passwordHash } : {}),
          ...(change.memberOps.length > 0 ? { memberOps: change.memberOps } : {}),
          ...(uniqueValues !== undefined ? { uniqueValues } : {}),
          now: clock().toISOString(),
          events: eventsFor(registry, scope).updated(
            type,
            [
              ...(change.doc !== undefined ? changedAttributes(existing.doc, change.doc, extensionIds(registry, type)) : []),
              ...(change.passwordHash !== undefined ? ['password'] : []),
            ],
            method,
          ),
        });
      } catch (error) {
        if (error instanceof VersionConflictError && ifMatch === undefined && attempt < MAX_WRITE_ATTEMPTS) {
          await backoff(attempt);
          continue;
        }
        throw error;
      }
      onEvents();
      return;
    }
  }

  /** RFC 7644 §3.6. */
  async function remove(scope: RequestScope, type: ResourceTypeName, id: string, ifMatch: string | undefined): Promise<void> {
    const events = eventsFor(await registries.forTenant(scope.tenantId), scope).deleted(type, clock().toISOString());
    if (ifMatch === undefined) {
      await store.delete(scope.tenantId, type, id, undefined, events);
    } else {
      const existing = await load(scope, type, id, {});
      checkIfMatch(ifMatch, existing.version);
      await store.delete(scope.tenantId, type, id, existing.version, events);
    }
    onEvents();
  }

  return { list, get, create, prepareCreate, createPrepared, replace, patch, remove };
}

/** What a PUT or PATCH changes; an absent doc or password hash keeps the stored one. */
interface Change {
  readonly doc?: Readonly<Record<string, unknown>>;
  readonly passwordHash?: string;
  readonly memberOps: readonly MemberOp[];
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

/** The member operations that turn a group's current members into the wanted ones. */
function memberDiff(existing: StoredResource, wanted: readonly { value: string; type?: string }[]): MemberOp[] {
  const current = new Set((existing.members ?? []).map((m) => m.value));
  const wantedValues = new Set(wanted.map((m) => m.value));
  const removed = [...current].filter((value) => !wantedValues.has(value));
  const seen = new Set<string>();
  const added = wanted.filter((m) => !current.has(m.value) && !seen.has(m.value) && seen.add(m.value));
  const ops: MemberOp[] = [];
  if (removed.length > 0) ops.push({ kind: 'remove', values: removed });
  if (added.length > 0) ops.push({ kind: 'add', members: added });
  return ops;
}

export type ResourceService = ReturnType<typeof createResourceService>;

/** The members a write added, as references without names (presentCreated). */
function membersAdded(delta: MemberDelta): ReferenceView[] {
  const groups = new Set(delta.groups);
  return delta.added.map((value) => {
    const type: ResourceTypeName = groups.has(value) ? 'Group' : 'User';
    return { value, type, resourceType: type, display: undefined };
  });
}
