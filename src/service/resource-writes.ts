import { ScimError } from '../errors/scim-error.ts';
import { eventBuilders } from '../events/build.ts';
import { type FilterLimits, RFC_FILTER_SYNTAX } from '../filter/parser.ts';
import { applyPatch } from '../patch/apply.ts';
import { changedAttributes } from '../patch/diff.ts';
import { parsePatchRequest } from '../patch/parse.ts';
import { planPatch } from '../patch/plan.ts';
import type { UnknownAttributes } from '../schema/coerce.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberDelta, MemberOp, MemberRules, ReferenceView, ResourceTypeName, StoredResource } from '../schema/resource.ts';
import { timeOrderedId } from '../schema/time-ordered-id.ts';
import { specOf } from '../schema/types/catalogue.ts';
import { type ResourceRead, readResource, settleResource, validateDocument, validateResource } from '../schema/validate.ts';
import type { CreateCommand, Include, Page, ResourceStore, WriteResult } from '../store/ports/resources.ts';
import { checkIfMatch } from './etag.ts';
import type { Selection } from './list-params.ts';
import { checkReferences, referenceRules } from './references.ts';
import { queryTargets } from './resource-list.ts';
import {
  includeFor,
  loadResource,
  locationOf,
  present,
  presentInEvent,
  type RequestScope,
  type ResourceResult,
  type WriteOutcome,
  withSkipped,
} from './resource-view.ts';
import type { RegistrySource } from './schema-registries.ts';
import { uniqueValuesOf } from './unique-values.ts';

/** The tenant's profile: unknown attributes ignored, or refused (docs/profiles.md). */
function unknownAttributesOf(scope: RequestScope): UnknownAttributes {
  return scope.profile.rejectUnknownAttributes ? 'reject' : 'ignore';
}

/** The profile's member rules (rejectUnknownMembers, rejectMismatchedMemberType) and group name uniqueness, for a store command. */
function groupRulesOf(scope: RequestScope, type: ResourceTypeName): Pick<CreateCommand, 'memberRules' | 'uniqueName'> {
  if (type !== 'Group') return {};
  const { rejectUnknownMembers, rejectMismatchedMemberType, uniqueGroupDisplayName } = scope.profile;
  return {
    memberRules: { unknown: rejectUnknownMembers ? 'refuse' : 'skip', wrongType: rejectMismatchedMemberType ? 'refuse' : 'correct' },
    ...(uniqueGroupDisplayName ? { uniqueName: true } : {}),
  };
}

export interface ResourceWriteDeps {
  readonly store: ResourceStore;
  readonly registries: RegistrySource;
  readonly clock: () => Date;
  readonly hashPassword: (password: string) => Promise<string>;
  /** Called after each write that committed events (the relay wakes up instead of waiting to poll). */
  readonly onEvents: () => void;
  /** Bounds on filters and PATCH paths, and on the operations of one PATCH. */
  readonly filterLimits: FilterLimits;
  readonly maxPatchOperations: number;
}

/**
 * The writes of RFC 7644 §3 on Users and Groups (create, PUT, PATCH, DELETE): each validates,
 * computes its change and its events, and makes one store call, hence one transaction.
 */
export function createResourceWrites(deps: ResourceWriteDeps) {
  const { store, registries, clock, onEvents } = deps;

  /** The event builders of a request: events carry the resource as GET shows it, never a password. */
  function eventsFor(registry: SchemaRegistry, scope: RequestScope) {
    return eventBuilders(scope.baseUrl, (stored) => presentInEvent(registry, scope.baseUrl, stored));
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
    return withSkipped(await presentCreated(registry, scope, written, selection), written.memberDelta);
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
    const validated = validateResource(registry, type, body, { mode: 'create', unknownAttributes: unknownAttributesOf(scope) });
    checkReferences(await referenceRules(store, registry, scope.tenantId, type), validated.doc);
    const uniqueValues = uniqueValuesOf(registry, type, validated.doc);
    const passwordHash = validated.password !== undefined ? await deps.hashPassword(validated.password) : undefined;
    const now = clock();
    return {
      resourceType: type,
      id: timeOrderedId(now.getTime()),
      doc: validated.doc,
      ...(passwordHash !== undefined ? { passwordHash } : {}),
      ...(validated.members !== undefined ? { members: validated.members } : {}),
      ...(uniqueValues !== undefined ? { uniqueValues } : {}),
      ...groupRulesOf(scope, type),
      now: now.toISOString(),
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
    for (const w of written) {
      results.push(w instanceof ScimError ? w : withSkipped(await presentCreated(registry, scope, w, selection), w.memberDelta));
    }
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
      ? await loadResource(store, scope, resource.resourceType, resource.id, include).catch((error: unknown) => {
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
    // The attribute a conflict is on: the type's indexed one (userName, a group's displayName, a role's value).
    const attribute = specOf(type)?.indexed;
    const name = attribute === undefined ? undefined : doc[attribute];
    if (typeof name !== 'string') return error;
    try {
      const filter = `${attribute} eq ${JSON.stringify(name)}`;
      const targets = queryTargets(registry, [type], { filter, sortBy: undefined }, undefined, deps.filterLimits, RFC_FILTER_SYNTAX);
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
    // The body is read before the resource, so that its password is hashed outside the write's
    // transaction; a body that cannot be read is refused after a missing resource (404) and a stale
    // If-Match (412): RFC 9110 §13.2.2 evaluates preconditions before the content is processed.
    let read: ResourceRead | ScimError;
    try {
      read = readResource(registry, type, body, unknownAttributesOf(scope));
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      read = error;
    }
    const password = read instanceof ScimError ? undefined : read.password;
    // A group's PUT names all its members: the change is computed against the stored ones.
    const include = type === 'Group' ? { members: true } : includeFor(registry, type, selection);
    const rules = await referenceRules(store, registry, scope.tenantId, type);
    const written = await writeChange(registry, scope, type, id, ifMatch, 'PUT', include, password, (existing) => {
      if (read instanceof ScimError) throw read;
      const validated = settleResource(registry, type, read, existing.doc);
      checkReferences(rules, validated.doc, existing.doc);
      const changed = changedAttributes(registry, type, existing.doc, validated.doc);
      return {
        ...(changed.length > 0 ? { doc: validated.doc } : {}),
        changedAttributes: changed,
        memberOps: type === 'Group' ? memberDiff(existing, validated.members ?? []) : [],
      };
    });
    return withSkipped(present(registry, scope, written.resource, selection), written.memberDelta);
  }

  /**
   * RFC 7644 §3.5.2: the operations apply to a copy, the whole result is validated, and one
   * conditional write stores it with the member changes, or nothing changes. A PATCH that changes
   * nothing writes nothing and keeps the version. With `answer` (docs/protocol.md "PATCH
   * answers"), a resource other than a group is answered as the write left it, projected by
   * `answer`, from what the write read and wrote: its groups read under the write's lock, nothing
   * read again. A group's answer is the caller's to read (its members streamed as GET streams
   * them): the write answers its version.
   */
  async function patch(
    scope: RequestScope,
    type: ResourceTypeName,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    answer?: Selection,
  ): Promise<WriteOutcome & { readonly answer?: ResourceResult }> {
    const operations = parsePatchRequest(body, {
      maxOperations: deps.maxPatchOperations,
      pathLimits: deps.filterLimits,
      requirePath: scope.profile.requirePatchPath,
    });
    const registry = await registries.forTenant(scope.tenantId);
    const plan = planPatch(registry, type, operations, {
      unknownAttributes: unknownAttributesOf(scope),
      complexReplace: scope.profile.replaceComplexWhole ? 'whole' : 'merge',
    });
    // A plan that fails is refused whatever the resource: its password is never hashed.
    const password = plan.fails ? undefined : plan.password;
    const rules = await referenceRules(store, registry, scope.tenantId, type);
    // The answer's groups (a user's) are read with the row; a group's members are not read here.
    const answered = answer !== undefined && type !== 'Group' ? answer : undefined;
    const include = answered !== undefined ? includeFor(registry, type, answered) : {};
    const written = await writeChange(registry, scope, type, id, ifMatch, 'PATCH', include, password, (existing) => {
      const result = applyPatch(registry, type, existing.doc, plan);
      const changed = result.changedAttributes.filter((a) => a !== 'members' && a !== 'password');
      const doc = changed.length > 0 ? validateDocument(registry, type, result.doc, existing.doc) : undefined;
      if (doc !== undefined) checkReferences(rules, doc, existing.doc);
      return { ...(doc !== undefined ? { doc } : {}), changedAttributes: changed, memberOps: result.memberOps };
    });
    const outcome = withSkipped({ version: written.resource.version, location: locationOf(scope, type, id) }, written.memberDelta);
    return answered !== undefined ? { ...outcome, answer: present(registry, scope, written.resource, answered) } : outcome;
  }

  /**
   * One write, its change computed by the store on the resource as stored, under the resource's
   * row lock (UpdateCommand.change): writers of one resource queue on the lock, so a request
   * without If-Match never fails for having had company, and the resource is read once. If-Match
   * is checked against the version the change is computed on, so a stale one is 412 (RFC 7644
   * §3.14). A change that changes nothing writes nothing. The password, from the request alone, is
   * hashed first: a transaction waits for no hash. Answers the write: the resource as written,
   * with what `include` asks for, and what it did to the members.
   */
  async function writeChange(
    registry: SchemaRegistry,
    scope: RequestScope,
    type: ResourceTypeName,
    id: string,
    ifMatch: string | undefined,
    method: 'PUT' | 'PATCH',
    include: Include,
    password: string | undefined,
    compute: (existing: StoredResource) => Change,
    memberRules?: MemberRules,
  ): Promise<WriteResult> {
    const passwordHash = password !== undefined ? await deps.hashPassword(password) : undefined;
    let computedOn: number | undefined;
    const written = await store.update(scope.tenantId, {
      resourceType: type,
      id,
      include,
      change: (current) => {
        checkIfMatch(ifMatch, current.version);
        computedOn = current.version;
        const { doc, changedAttributes, memberOps } = compute(current);
        if (doc === undefined && passwordHash === undefined && memberOps.length === 0) return undefined;
        const uniqueValues = doc !== undefined ? uniqueValuesOf(registry, type, doc) : undefined;
        return {
          ...(doc !== undefined ? { doc } : {}),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
          ...(memberOps.length > 0 ? { memberOps } : {}),
          ...(uniqueValues !== undefined ? { uniqueValues } : {}),
          ...groupRulesOf(scope, type),
          ...(memberRules ? { memberRules } : {}),
          now: clock().toISOString(),
          events: eventsFor(registry, scope).updated(
            type,
            [...changedAttributes, ...(passwordHash !== undefined ? ['password'] : [])],
            method,
          ),
        };
      },
    });
    if (written.resource.version !== computedOn) onEvents();
    return written;
  }

  /**
   * One change of a group's members alone, written as a PATCH of them is (one transaction, the
   * version bumped, membership events), with `rules` for members it cannot add: a membership of
   * /GroupMembers (draft-zollner-scim-group-members-01 §6.1, §6.3, §7.1.2).
   */
  async function changeMembers(scope: RequestScope, groupId: string, op: MemberOp, rules: MemberRules): Promise<WriteResult> {
    const registry = await registries.forTenant(scope.tenantId);
    const compute = () => ({ changedAttributes: [], memberOps: [op] });
    return writeChange(registry, scope, 'Group', groupId, undefined, 'PATCH', {}, undefined, compute, rules);
  }

  /** RFC 7644 §3.6. */
  async function remove(scope: RequestScope, type: ResourceTypeName, id: string, ifMatch: string | undefined): Promise<void> {
    const events = eventsFor(await registries.forTenant(scope.tenantId), scope).deleted(type, clock().toISOString());
    if (ifMatch === undefined) {
      await store.delete(scope.tenantId, type, id, undefined, events);
    } else {
      const existing = await loadResource(store, scope, type, id, {});
      checkIfMatch(ifMatch, existing.version);
      await store.delete(scope.tenantId, type, id, existing.version, events);
    }
    onEvents();
  }

  return { create, prepareCreate, createPrepared, replace, patch, remove, changeMembers };
}

/** What a PUT or PATCH changes; an absent doc keeps the stored one. */
interface Change {
  readonly doc?: Readonly<Record<string, unknown>>;
  /** The top-level attributes of the document the change changes (patch/diff.ts), for its event. */
  readonly changedAttributes: readonly string[];
  readonly memberOps: readonly MemberOp[];
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

/** The members a write added, as references without names (presentCreated). */
function membersAdded(delta: MemberDelta): ReferenceView[] {
  const groups = new Set(delta.groups);
  return delta.added.map((value) => {
    const type: ResourceTypeName = groups.has(value) ? 'Group' : 'User';
    return { value, type, resourceType: type, display: undefined };
  });
}
