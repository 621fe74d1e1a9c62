import { invalidValue, notFound, ScimError, uniqueness } from '../errors/scim-error.ts';
import { type FilterLimits, LENIENT_FILTER_SYNTAX, parseFilter, RFC_FILTER_SYNTAX } from '../filter/parser.ts';
import { resolveFilter } from '../filter/resolve.ts';
import { projectResource } from '../schema/project.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberOp, MemberRules } from '../schema/resource.ts';
import { endpointOf } from '../schema/types/catalogue.ts';
import {
  GROUP_MEMBER_SCHEMA_ID,
  GROUP_MEMBER_TYPE_NAME,
  GROUP_MEMBERS_ENDPOINT,
  membershipId,
  membershipIdParts,
} from '../schema/types/group-member.ts';
import type { GroupMemberStore, StoredMembership } from '../store/ports/group-members.ts';
import type { WriteResult } from '../store/ports/resources.ts';
import type { ListParams, Selection } from './list-params.ts';
import { type ListLimits, listResponse, planPage } from './resource-list.ts';
import type { RequestScope } from './resource-view.ts';
import type { RegistrySource } from './schema-registries.ts';

/**
 * /GroupMembers (draft-zollner-scim-group-members-01, docs/group-members.md): a group's direct
 * memberships as resources, for tenants that enabled the type. Reads page the membership table
 * (src/store/sql/group-members.ts); a POST or DELETE is a change of the group's members as a PATCH
 * makes it, so the group's version, its `members` and the membership events stay as they would.
 */

export interface GroupMemberServiceDeps {
  readonly store: GroupMemberStore;
  readonly registries: RegistrySource;
  readonly clock: () => Date;
  readonly limits: ListLimits;
  readonly filterLimits: FilterLimits;
  /** A change of a group's members alone, as the group writes make it (resource-writes.ts changeMembers). */
  readonly changeMembers: (scope: RequestScope, groupId: string, op: MemberOp, rules: MemberRules) => Promise<WriteResult>;
}

/** A GroupMember as an answer shows it, and its URL. */
export interface GroupMemberResult {
  readonly resource: Record<string, unknown>;
  readonly location: string;
}

/**
 * The draft's §6.1 asks for 400 invalidValue when the member does not exist, whatever the tenant's
 * profile does with unknown members of a group write; a member's type is always its own.
 */
const MEMBER_RULES: MemberRules = { unknown: 'refuse', wrongType: 'correct' };

export function createGroupMemberService(deps: GroupMemberServiceDeps) {
  const { store, registries, clock, limits } = deps;

  /**
   * The tenant's registry, which has GroupMember: its routes answer only where it does
   * (src/http/routes/group-members.ts), and a Bulk operation on /GroupMembers of a tenant without
   * it is 404 here, as one on a disabled type's endpoint is (ResourceService requireType).
   */
  async function registryOf(scope: RequestScope): Promise<SchemaRegistry> {
    const registry = await registries.forTenant(scope.tenantId);
    if (!registry.resourceType(GROUP_MEMBER_TYPE_NAME)) {
      throw notFound(`no resource type ${GROUP_MEMBER_TYPE_NAME} at this tenant's endpoints`);
    }
    return registry;
  }

  function present(registry: SchemaRegistry, scope: RequestScope, membership: StoredMembership, selection: Selection): GroupMemberResult {
    const full = representation(scope.baseUrl, membership);
    const location = (full['meta'] as { location: string }).location;
    return { resource: projectResource(registry, GROUP_MEMBER_TYPE_NAME, full, selection), location };
  }

  /** Draft §6.2, §6.2.1 (startIndex and RFC 9865 cursors), §6.2.2 (filters on any attribute). */
  async function list(scope: RequestScope, params: ListParams): Promise<Record<string, unknown>> {
    const registry = await registryOf(scope);
    if (params.sortBy !== undefined) {
      throw invalidValue(`${GROUP_MEMBERS_ENDPOINT} come in the order their members were added; sortBy is not supported here`);
    }
    const syntax = scope.profile.requireQuotedFilterValues ? RFC_FILTER_SYNTAX : LENIENT_FILTER_SYNTAX;
    const filter =
      params.filter === undefined
        ? undefined
        : resolveFilter(parseFilter(params.filter, deps.filterLimits, syntax), registry, GROUP_MEMBER_TYPE_NAME);
    const plan = planPage(params, limits, [GROUP_MEMBER_TYPE_NAME, params.filter], clock());
    const result = await store.queryMemberships(scope.tenantId, { ...(filter ? { filter } : {}), page: plan.page });
    const selection: Selection = { attributes: params.attributes, excludedAttributes: params.excludedAttributes };
    return listResponse(
      plan,
      result,
      result.memberships.map((m) => present(registry, scope, m, selection).resource),
    );
  }

  /** Draft §6.2: GET /GroupMembers/{id}. */
  async function get(scope: RequestScope, id: string, selection: Selection): Promise<GroupMemberResult> {
    const registry = await registryOf(scope);
    const parts = membershipIdParts(id);
    const found = parts && (await store.getMembership(scope.tenantId, parts.groupId, parts.memberId));
    if (!found) throw notFound(`${GROUP_MEMBER_TYPE_NAME} ${id} not found`);
    return present(registry, scope, found, selection);
  }

  /**
   * Draft §6.1: the member added to the group, 201 with the membership. A group or member that
   * does not exist is 400 invalidValue; a membership that exists already, 409 uniqueness.
   */
  async function create(scope: RequestScope, body: unknown, selection: Selection): Promise<GroupMemberResult> {
    const registry = await registryOf(scope);
    const { groupId, memberId } = readBody(body);
    let written: WriteResult;
    try {
      written = await deps.changeMembers(scope, groupId, { kind: 'add', members: [{ value: memberId }] }, MEMBER_RULES);
    } catch (error) {
      if (error instanceof ScimError && error.status === 404) throw invalidValue(`group ${JSON.stringify(groupId)} does not exist`);
      throw error;
    }
    if (written.memberDelta.added.length === 0) {
      throw uniqueness(`${JSON.stringify(memberId)} is a member of group ${JSON.stringify(groupId)} already`);
    }
    const found = await store.getMembership(scope.tenantId, groupId, memberId);
    // Removed again between the write and this read: what was written is answered, without names.
    const membership: StoredMembership = found ?? {
      groupId,
      groupDisplay: undefined,
      memberId,
      memberType: written.memberDelta.groups?.includes(memberId) ? 'Group' : 'User',
      memberDisplay: undefined,
      created: written.resource.lastModified,
    };
    return present(registry, scope, membership, selection);
  }

  /** Draft §6.3: the member removed from the group; 404 when it is not a member (or no such id). */
  async function remove(scope: RequestScope, id: string): Promise<void> {
    await registryOf(scope);
    const parts = membershipIdParts(id);
    if (!parts) throw notFound(`${GROUP_MEMBER_TYPE_NAME} ${id} not found`);
    const written = await deps
      .changeMembers(scope, parts.groupId, { kind: 'remove', values: [parts.memberId] }, MEMBER_RULES)
      .catch((error) => {
        if (error instanceof ScimError && error.status === 404) throw notFound(`${GROUP_MEMBER_TYPE_NAME} ${id} not found`);
        throw error;
      });
    if (written.memberDelta.removed.length === 0) throw notFound(`${GROUP_MEMBER_TYPE_NAME} ${id} not found`);
  }

  return { list, get, create, remove };
}

export type GroupMemberService = ReturnType<typeof createGroupMemberService>;

/** The draft's §4.2 representation: the membership with references to its group and member, and meta. */
function representation(baseUrl: string, m: StoredMembership): Record<string, unknown> {
  const id = membershipId(m.groupId, m.memberId);
  return {
    schemas: [GROUP_MEMBER_SCHEMA_ID],
    id,
    group: {
      value: m.groupId,
      $ref: `${baseUrl}/${endpointOf('Group')}/${m.groupId}`,
      ...(m.groupDisplay !== undefined ? { display: m.groupDisplay } : {}),
    },
    member: {
      value: m.memberId,
      $ref: `${baseUrl}/${endpointOf(m.memberType)}/${m.memberId}`,
      type: m.memberType,
      ...(m.memberDisplay !== undefined ? { display: m.memberDisplay } : {}),
    },
    meta: {
      resourceType: GROUP_MEMBER_TYPE_NAME,
      // A membership never changes once made: last modified when created.
      ...(m.created !== undefined ? { created: m.created, lastModified: m.created } : {}),
      location: `${baseUrl}/${GROUP_MEMBERS_ENDPOINT}/${id}`,
    },
  };
}

/**
 * The group's and the member's ids of a POST body (draft §6.1). Only `value`s are read: the other
 * sub-attributes are readOnly, which a client may send and the server ignores (RFC 7643 §2.2).
 */
function readBody(body: unknown): { groupId: string; memberId: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidValue(`a ${GROUP_MEMBER_TYPE_NAME} must be a JSON object`);
  }
  const doc = body as Record<string, unknown>;
  const schemas = doc['schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === GROUP_MEMBER_SCHEMA_ID.toLowerCase())) {
    throw invalidValue(`schemas must contain ${GROUP_MEMBER_SCHEMA_ID}`);
  }
  return { groupId: idAt(doc, 'group'), memberId: idAt(doc, 'member') };
}

function idAt(doc: Record<string, unknown>, name: 'group' | 'member'): string {
  // Attribute names are case-insensitive (RFC 7643 §2.1).
  const key = Object.keys(doc).find((k) => k.toLowerCase() === name);
  const ref = key === undefined ? undefined : doc[key];
  const valueKey = typeof ref === 'object' && ref !== null ? Object.keys(ref).find((k) => k.toLowerCase() === 'value') : undefined;
  const value = valueKey === undefined ? undefined : (ref as Record<string, unknown>)[valueKey];
  if (typeof value !== 'string' || value === '') throw invalidValue(`${name}.value is required: the id of the ${name}`);
  return value;
}
