import { notFound } from '../errors/scim-error.ts';
import { needsAttribute, projectResource } from '../schema/project.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberDelta, ResourceTypeName, StoredResource } from '../schema/resource.ts';
import { endpointOf } from '../schema/types/catalogue.ts';
import { GROUP_MEMBERS_EXTENSION_ID } from '../schema/types/group-member.ts';
import type { Include, ResourceStore } from '../store/ports/resources.ts';
import type { Selection } from './list-params.ts';
import type { ProfileBehaviours } from './profiles.ts';
import { toRepresentation } from './representation.ts';

/** Where a request acts: the tenant, the base URL its resources' locations start with, and the tenant's behaviours. */
export interface RequestScope {
  readonly tenantId: string;
  readonly baseUrl: string;
  /** The tenant's compatibility profile with its overrides (docs/profiles.md). */
  readonly profile: ProfileBehaviours;
}

/** One resource as a request answers it: projected, with its version and location. */
export interface ResourceResult {
  readonly resource: Record<string, unknown>;
  readonly version: number;
  readonly location: string;
  /** Member ids a group write skipped because no resource of the tenant has them (MemberRules); absent when none. */
  readonly skippedMembers?: readonly string[];
}

/** What a write answers without reading the resource again: its version, location, and the member ids it skipped. */
export interface WriteOutcome {
  readonly version: number;
  readonly location: string;
  readonly skippedMembers?: readonly string[];
}

/** The URL of a resource (its meta.location). */
export function locationOf(scope: RequestScope, type: ResourceTypeName, id: string): string {
  return `${scope.baseUrl}/${endpointOf(type)}/${id}`;
}

/** A write's result with the member ids it skipped, when it skipped any. */
export function withSkipped<R extends WriteOutcome>(result: R, delta: MemberDelta | undefined): R {
  return delta?.skipped ? { ...result, skippedMembers: delta.skipped } : result;
}

/** Whether a read must load a group's members (or count them) or a user's groups: only when the answer shows them. */
export function includeFor(registry: SchemaRegistry, type: ResourceTypeName, selection: Selection): Include {
  return type === 'Group'
    ? {
        members: needsAttribute(registry, type, selection, 'members'),
        ...(asksMemberCount(registry, selection) ? { memberCount: true } : {}),
      }
    : { groups: needsAttribute(registry, type, selection, 'groups') };
}

/**
 * Whether the answer shows membersMetadata.memberCount (`returned: request`: only when the
 * request's `attributes` name it, as projection decides for a sample group that has one).
 */
export function asksMemberCount(registry: SchemaRegistry, selection: Selection): boolean {
  if (selection.attributes === undefined || !registry.extensionSchema('Group', GROUP_MEMBERS_EXTENSION_ID)) return false;
  const sample = {
    schemas: [GROUP_MEMBERS_EXTENSION_ID],
    id: 'sample',
    [GROUP_MEMBERS_EXTENSION_ID]: { membersMetadata: { memberCount: 0 } },
  };
  const shown = projectResource(registry, 'Group', sample, selection)[GROUP_MEMBERS_EXTENSION_ID] as
    | { membersMetadata?: { memberCount?: number } }
    | undefined;
  return shown?.membersMetadata?.memberCount !== undefined;
}

/** A stored resource as the API returns it (RFC 7643 §3), projected by `attributes` / `excludedAttributes`. */
export function present(registry: SchemaRegistry, scope: RequestScope, stored: StoredResource, selection: Selection): ResourceResult {
  const plain = selection.attributes === undefined && selection.excludedAttributes === undefined;
  const kept = plain ? shownByEvents.get(stored) : undefined;
  if (kept?.registry === registry && kept.baseUrl === scope.baseUrl)
    return { resource: kept.shown, version: stored.version, location: kept.location };
  const full = toRepresentation(registry, scope.baseUrl, stored);
  const meta = full['meta'] as { location: string };
  return { resource: projectResource(registry, stored.resourceType, full, selection), version: stored.version, location: meta.location };
}

interface Shown {
  readonly registry: SchemaRegistry;
  readonly baseUrl: string;
  readonly shown: Record<string, unknown>;
  readonly location: string;
}

/**
 * What the events of a write showed of the resource it wrote, by the stored resource: the
 * answer of a request that selects no attributes is the same representation, which `present`
 * then takes instead of computing it again (about 3% of a create's event loop). The object is
 * shared, so neither may be changed once made; the event is serialised inside the write.
 */
const shownByEvents = new WeakMap<StoredResource, Shown>();

/** The resource as an event carries it: as GET shows it with no attributes selected (never a password). */
export function presentInEvent(registry: SchemaRegistry, baseUrl: string, stored: StoredResource): Record<string, unknown> {
  const full = toRepresentation(registry, baseUrl, stored);
  const shown = projectResource(registry, stored.resourceType, full, {});
  shownByEvents.set(stored, { registry, baseUrl, shown, location: (full['meta'] as { location: string }).location });
  return shown;
}

/** The stored resource, or notFound (404). */
export async function loadResource(
  store: Pick<ResourceStore, 'get'>,
  scope: RequestScope,
  type: ResourceTypeName,
  id: string,
  include: Include,
): Promise<StoredResource> {
  const stored = await store.get(scope.tenantId, type, id, include);
  if (!stored) throw notFound(`${type} ${id} not found`);
  return stored;
}
