import type { ResourceTypeName, StoredResource } from '../schema/resource.ts';
import { timeOrderedId } from '../schema/time-ordered-id.ts';
import { endpointOf, specOf } from '../schema/types/catalogue.ts';
import type { NewEvent } from '../store/ports/outbox.ts';
import type { WriteResult } from '../store/ports/resources.ts';

/** The noun of a type's events (`scim.<noun>.created`), from the catalogue. */
function nounOf(resourceType: ResourceTypeName): string {
  const spec = specOf(resourceType);
  if (!spec) throw new Error(`unknown resource type ${resourceType}`);
  return spec.noun;
}

/** How a resource is shown in an event: the service's GET representation, without members / groups. */
export type Represent = (stored: StoredResource) => Record<string, unknown>;

interface Context {
  readonly source: string;
  readonly represent: Represent;
}

function event(
  ctx: Context,
  /** An event type of the contract (cloud-event.ts EVENT_TYPES), or `scim.<noun>.created|updated|deleted` of another type. */
  type: string,
  resourceType: ResourceTypeName,
  id: string,
  time: string,
  data: Record<string, unknown>,
): NewEvent {
  return { id: timeOrderedId(), type, subject: `${endpointOf(resourceType)}/${id}`, source: ctx.source, time, data };
}

function membershipEvents(ctx: Context, result: WriteResult): NewEvent[] {
  const { resource, memberDelta } = result;
  const base = { id: resource.id, version: resource.version };
  const groups = new Set(memberDelta.groups ?? []);
  // `members` keeps its meaning (user ids) for consumers written before nested groups; group ids
  // go apart into `memberGroups` (docs/events.md, "Nested groups").
  const data = (ids: readonly string[]) => {
    const memberGroups = ids.filter((id) => groups.has(id));
    return { ...base, members: ids.filter((id) => !groups.has(id)), ...(memberGroups.length > 0 ? { memberGroups } : {}) };
  };
  const out: NewEvent[] = [];
  // Removals first: a PUT that swaps members reads as "left, then joined".
  if (memberDelta.removed.length > 0) {
    out.push(event(ctx, 'scim.group.members.removed', 'Group', resource.id, resource.lastModified, data(memberDelta.removed)));
  }
  if (memberDelta.added.length > 0) {
    out.push(event(ctx, 'scim.group.members.added', 'Group', resource.id, resource.lastModified, data(memberDelta.added)));
  }
  return out;
}

/**
 * Builders for the store's `events` callbacks (src/store/ports/outbox.ts EventBuilder): pure and
 * synchronous, they run inside the write's transaction. A group's member list never goes into an
 * event: membership changes are their own events carrying only the ids added or removed.
 */
export function eventBuilders(source: string, represent: Represent) {
  const ctx: Context = { source, represent };
  return {
    created:
      (resourceType: ResourceTypeName) =>
      (result: WriteResult): NewEvent[] => [
        event(ctx, `scim.${nounOf(resourceType)}.created`, resourceType, result.resource.id, result.resource.lastModified, {
          resource: represent(result.resource),
          version: result.resource.version,
        }),
        ...membershipEvents(ctx, result),
      ],
    /**
     * `changedAttributes`: the top-level attributes the write changed, "password" for a new
     * password; `method`: the request that made the change (RFC 9967 tells PUT from PATCH).
     */
    updated:
      (resourceType: ResourceTypeName, changedAttributes: readonly string[], method: 'PUT' | 'PATCH') =>
      (result: WriteResult): NewEvent[] => {
        const membership = membershipEvents(ctx, result);
        // A version bump always has an event: a members-only change has its membership events.
        return [
          ...(changedAttributes.length > 0 || membership.length === 0
            ? [
                event(ctx, `scim.${nounOf(resourceType)}.updated`, resourceType, result.resource.id, result.resource.lastModified, {
                  resource: represent(result.resource),
                  version: result.resource.version,
                  changedAttributes: [...changedAttributes],
                  method,
                }),
              ]
            : []),
          ...membership,
        ];
      },
    deleted:
      (resourceType: ResourceTypeName, time: string) =>
      (deleted: StoredResource): NewEvent[] => {
        const doc = deleted.doc;
        // The attributes that name the resource (the catalogue's `names`: a user's userName and
        // displayName, a group's displayName, a role's value), as the deleted resource is gone.
        const names = Object.fromEntries(
          (specOf(resourceType)?.names ?? []).filter((name) => typeof doc[name] === 'string').map((name) => [name, doc[name]]),
        );
        return [
          event(ctx, `scim.${nounOf(resourceType)}.deleted`, resourceType, deleted.id, time, {
            id: deleted.id,
            ...(typeof doc['externalId'] === 'string' ? { externalId: doc['externalId'] } : {}),
            ...names,
            version: deleted.version,
          }),
        ];
      },
  };
}
