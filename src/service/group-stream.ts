import { randomUUID } from 'node:crypto';
import { notFound } from '../errors/scim-error.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { ReferenceView, StoredResource } from '../schema/resource.ts';
import type { ResourceStore } from '../store/ports/resources.ts';
import type { Selection } from './list-params.ts';
import { memberFormat } from './representation.ts';
import { asksMemberCount, loadResource, present, type RequestScope, type ResourceResult } from './resource-view.ts';

/**
 * A resource as JSON text: `head`, then, when `rest` is given, the pieces it returns until
 * undefined. A group's members are read and written a chunk at a time (docs/performance.md,
 * "Big groups"); a reply that will not read `rest` to its end must close it.
 */
export interface JsonResult {
  readonly version: number;
  readonly location: string;
  readonly head: string;
  readonly rest?: { next(): Promise<string | undefined>; close(): Promise<void> };
}

/** Stands for the members array in the text of a group, to be cut out and replaced by the members. */
const MEMBERS_MARK = `\u0000members:${randomUUID()}`;
const MEMBERS_MARK_JSON = JSON.stringify(MEMBERS_MARK);
/**
 * A member with every sub-attribute, in a group: what projection keeps of it is what each member
 * will show (it depends on the request's attributes and the tenant's schema, not on the group).
 */
const SAMPLE_MEMBER: ReferenceView = { value: 'sample', type: 'User', resourceType: 'User', display: 'sample' };
const SAMPLE_GROUP: StoredResource = { id: 'sample', resourceType: 'Group', doc: {}, version: 1, created: '', lastModified: '' };

/**
 * RFC 7644 §3.4.1 of a group whose answer shows members, as a GET sends it: JSON text whose
 * members are read from the store a chunk at a time while they are written, from one version of
 * the group, so that a group of 100,000 members costs constant memory and its first byte leaves
 * at once. What a member shows is decided once per request, by projecting a sample member.
 */
export async function readGroupWithMembers(
  store: Pick<ResourceStore, 'get' | 'readMembers'>,
  registry: SchemaRegistry,
  scope: RequestScope,
  id: string,
  selection: Selection,
): Promise<ResourceResult | JsonResult> {
  const sample = present(registry, scope, { ...SAMPLE_GROUP, members: [SAMPLE_MEMBER] }, selection);
  const shown = (sample.resource['members'] as Record<string, unknown>[] | undefined)?.[0];
  const counted = asksMemberCount(registry, selection);
  if (!shown)
    return present(registry, scope, await loadResource(store, scope, 'Group', id, counted ? { memberCount: true } : {}), selection);
  // Asked for, the count is read before the members, a moment apart from them.
  const memberCount = counted ? (await store.get(scope.tenantId, 'Group', id, { memberCount: true }))?.memberCount : undefined;
  const reads = await store.readMembers(scope.tenantId, id, memberFormat(scope.baseUrl, new Set(Object.keys(shown))));
  if (!reads) throw notFound(`Group ${id} not found`);
  const group = memberCount === undefined ? reads.group : { ...reads.group, memberCount };
  try {
    const first = await reads.next();
    if (first === undefined) {
      await reads.close();
      return present(registry, scope, { ...group, members: [] }, selection);
    }
    const { resource, version, location } = present(registry, scope, { ...group, members: [SAMPLE_MEMBER] }, selection);
    const text = JSON.stringify({ ...resource, members: MEMBERS_MARK });
    const at = text.indexOf(MEMBERS_MARK_JSON);
    const head = `${text.slice(0, at)}[${first}`;
    let tail: string | undefined = `]${text.slice(at + MEMBERS_MARK_JSON.length)}`;
    // A group of one chunk is one text, sent with its length (and kept by the request log).
    let pending = await reads.next();
    if (pending === undefined) return { version, location, head: `${head}${tail}` };
    return {
      version,
      location,
      head,
      rest: {
        next: async () => {
          const chunk = pending ?? (tail === undefined ? undefined : await reads.next());
          pending = undefined;
          if (chunk !== undefined) return `,${chunk}`;
          const last = tail;
          tail = undefined;
          return last;
        },
        close: () => reads.close(),
      },
    };
  } catch (error) {
    await reads.close();
    throw error;
  }
}
