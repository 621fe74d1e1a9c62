import type { ScimEvent } from './events.ts';
import { type Batch, type Edge, keyOf, type ResourceKind, type StoredResource, type Target, versionOf } from './model.ts';

const KIND: Readonly<Record<string, ResourceKind>> = { Users: 'User', Groups: 'Group' };

/** The user or group an event is about; undefined for another resource type's (a tenant's roles, devices). */
function subjectOf(event: ScimEvent): { kind: ResourceKind; id: string } | undefined {
  const slash = event.subject.indexOf('/');
  const kind = KIND[event.subject.slice(0, slash)];
  return kind && { kind, id: event.subject.slice(slash + 1) };
}

/** A members-only change moves the group's version and lastModified (the event's time) without a resource. */
function touched(stored: StoredResource, version: number, time: string): StoredResource {
  const meta = (stored.resource['meta'] ?? {}) as Record<string, unknown>;
  return { ...stored, version, resource: { ...stored.resource, meta: { ...meta, version: `W/"${version}"`, lastModified: time } } };
}

/**
 * The batch that applies `events` (one tenant's, consecutive, in sequence order, the first right
 * after `from`) to what the target holds. Idempotent by version, so that events the snapshot
 * already reflects change nothing (docs/consumer.md, "Why nothing is applied twice"):
 * - created / updated: applied only over an older version (or none);
 * - members added / removed: skipped only under a newer version of the group (a write that changes
 *   attributes and members gives several events of one version, and setting an edge twice is
 *   harmless); they also move the group's version and lastModified;
 * - deleted: always; the resource loses every edge to or from it.
 */
export async function buildBatch(target: Target, tenant: string, from: number, all: readonly ScimEvent[], to: number): Promise<Batch> {
  // The copy holds users and groups: the events of a tenant's other resource types (docs/resource-types.md) pass by.
  const events = all.filter((e) => subjectOf(e) !== undefined);
  const keys = new Set(
    events.map((e) => {
      const s = subjectOf(e)!;
      return keyOf(s.kind, s.id);
    }),
  );
  const stored = await target.resources(tenant, [...keys]);
  // null: deleted by this batch.
  const state = new Map<string, StoredResource | null>();
  const current = (key: string) => (state.has(key) ? (state.get(key) ?? undefined) : stored.get(key));
  const edges = new Map<string, Edge & { present: boolean }>();
  const deleted = new Map<string, { kind: ResourceKind; id: string }>();

  for (const event of events) {
    const { kind, id } = subjectOf(event)!;
    const key = keyOf(kind, id);
    const data = event.data;
    const version = Number(data['version']);
    switch (event.type) {
      case 'scim.user.created':
      case 'scim.group.created':
      case 'scim.user.updated':
      case 'scim.group.updated': {
        const now = current(key);
        if (now && now.version >= version) break;
        state.set(key, { kind, id, version, resource: data['resource'] as Record<string, unknown> });
        break;
      }
      case 'scim.user.deleted':
      case 'scim.group.deleted':
        state.set(key, null);
        deleted.set(key, { kind, id });
        for (const [k, edge] of edges) if (edge.group === id || edge.member === id) edges.delete(k);
        break;
      case 'scim.group.members.added':
      case 'scim.group.members.removed': {
        const now = current(key);
        if (now && now.version > version) break;
        const present = event.type === 'scim.group.members.added';
        for (const member of (data['members'] as string[] | undefined) ?? [])
          edges.set(`${id}|${member}`, { group: id, member, memberKind: 'User', present });
        for (const member of (data['memberGroups'] as string[] | undefined) ?? [])
          edges.set(`${id}|${member}`, { group: id, member, memberKind: 'Group', present });
        if (now && now.version < version) state.set(key, touched(now, version, event.time));
        break;
      }
      default:
        // A type this consumer does not know (a later contract's addition): nothing to apply.
        break;
    }
  }
  return {
    from,
    to,
    put: [...state.values()].filter((r): r is StoredResource => r !== null),
    deleted: [...deleted.values()],
    edges: [...edges.values()],
  };
}

/** The batch that replaces a tenant's copy with a snapshot taken at `position`. */
export function snapshotBatch(
  position: number,
  users: readonly Record<string, unknown>[],
  groups: readonly Record<string, unknown>[],
): Batch {
  const put: StoredResource[] = [];
  const edges: (Edge & { present: boolean })[] = [];
  for (const user of users) {
    const { groups: _derived, ...resource } = user;
    put.push({ kind: 'User', id: String(user['id']), version: versionOf(user), resource });
  }
  for (const group of groups) {
    const { members, ...resource } = group;
    const id = String(group['id']);
    put.push({ kind: 'Group', id, version: versionOf(group), resource });
    for (const m of (members as { value: string; type?: string }[] | undefined) ?? []) {
      edges.push({ group: id, member: m.value, memberKind: m.type === 'Group' ? 'Group' : 'User', present: true });
    }
  }
  return { from: undefined, to: position, put, deleted: [], edges };
}
