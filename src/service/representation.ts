import { isPresent } from '../filter/evaluate.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { ReferenceView, ResourceTypeName, StoredResource } from '../schema/resource.ts';
import { endpointOf } from '../schema/types/catalogue.ts';
import { GROUP_MEMBERS_ENDPOINT, GROUP_MEMBERS_EXTENSION_ID } from '../schema/types/group-member.ts';
import type { MemberFormat } from '../store/ports/resources.ts';
import { etagOf } from './etag.ts';

function reference(baseUrl: string, ref: ReferenceView, type: string) {
  return {
    value: ref.value,
    $ref: `${baseUrl}/${endpointOf(ref.resourceType)}/${ref.value}`,
    ...(ref.display !== undefined ? { display: ref.display } : {}),
    type,
  };
}

/**
 * The schema URNs a document carries: the core one, and each extension holding a present value
 * (the same rule as `schemas eq "urn:…"` in a filter, docs/filtering.md).
 */
function schemasOf(registry: SchemaRegistry, type: ResourceTypeName, doc: Readonly<Record<string, unknown>>): string[] {
  const extensions = registry.resourceType(type)?.schemaExtensions ?? [];
  return [registry.coreSchema(type).id, ...extensions.map((e) => e.schema).filter((uri) => isPresent(doc[uri]))];
}

/**
 * The full SCIM representation of a stored resource (RFC 7643 §3): schemas, id, the stored
 * attributes, members or groups when they were loaded, and meta. Projection comes after.
 */
export function toRepresentation(registry: SchemaRegistry, baseUrl: string, stored: StoredResource): Record<string, unknown> {
  const doc = withMembersMetadata(registry, baseUrl, stored);
  const schemas = schemasOf(registry, stored.resourceType, doc);
  const location = `${baseUrl}/${endpointOf(stored.resourceType)}/${stored.id}`;
  const resource: Record<string, unknown> = { schemas, id: stored.id, ...doc };
  // RFC 7643 §2.5: an empty multi-valued attribute is unassigned, so it is left out.
  if (stored.members?.length) resource['members'] = stored.members.map((m) => reference(baseUrl, m, m.type));
  if (stored.groups?.length) resource['groups'] = stored.groups.map((g) => reference(baseUrl, g, g.type));
  resource['meta'] = {
    resourceType: stored.resourceType,
    created: stored.created,
    lastModified: stored.lastModified,
    location,
    version: etagOf(stored.version),
  };
  return resource;
}

/**
 * A group of a tenant that enabled GroupMembers carries membersMetadata (draft-zollner-scim-group-
 * members-01 §5): `hybrid`, since its members are both in `members` (which Entra ID and Okta
 * write) and at /GroupMembers, where a client pages through them; `ref` is that list. memberCount
 * (OPTIONAL in the draft) only when the client asks for it (`returned: request`), and then the
 * read counted it: counting a group of a million is not the free read that
 * `GET /Groups/{id}?excludedAttributes=members` must stay (docs/group-members.md).
 */
function withMembersMetadata(registry: SchemaRegistry, baseUrl: string, stored: StoredResource): Readonly<Record<string, unknown>> {
  if (stored.resourceType !== 'Group' || !registry.extensionSchema('Group', GROUP_MEMBERS_EXTENSION_ID)) return stored.doc;
  const filter = encodeURIComponent(`group.value eq ${JSON.stringify(stored.id)}`);
  return {
    ...stored.doc,
    [GROUP_MEMBERS_EXTENSION_ID]: {
      membersMetadata: {
        policy: 'hybrid',
        ref: `${baseUrl}/${GROUP_MEMBERS_ENDPOINT}?filter=${filter}`,
        allowedMemberTypes: ['User', 'Group'],
        ...(stored.memberCount !== undefined ? { memberCount: stored.memberCount } : {}),
      },
    },
  };
}

/**
 * How a streamed group writes each member (MemberFormat): the sub-attributes `keep` names, with
 * `$ref` as `reference` builds it, its prefix JSON-escaped once for the request.
 */
export function memberFormat(baseUrl: string, keep: ReadonlySet<string>): MemberFormat {
  const prefix = (type: ResourceTypeName) => JSON.stringify(`${baseUrl}/${endpointOf(type)}/`).slice(0, -1);
  return {
    value: keep.has('value'),
    ref: keep.has('$ref') ? { User: prefix('User'), Group: prefix('Group') } : undefined,
    display: keep.has('display'),
    type: keep.has('type'),
  };
}
