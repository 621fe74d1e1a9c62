import type { ResourceTypeDefinition, SchemaDefinition } from '../attribute.ts';
import { ENTERPRISE_USER_SCHEMA } from '../core/enterprise-user.ts';
import { GROUP_SCHEMA } from '../core/group.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../core/resource-types.ts';
import { USER_SCHEMA } from '../core/user.ts';
import { AGENT_TYPE } from './agent.ts';
import { DEVICE_TYPE } from './device.ts';
import { GROUP_MEMBER_TYPE } from './group-member.ts';
import { ENTITLEMENT_TYPE, ROLE_TYPE } from './roles-entitlements.ts';

/**
 * Resource types as data (docs/resource-types.md): what a kind of resource is, from its endpoint to
 * the events it emits, so that the schema registry, the routes, the stores and the event builder
 * serve it without code of its own. User and Group are two of them; the others are optional, and
 * a tenant enables them (`scimd resource-types enable`), after which its /ResourceTypes and
 * /Schemas list them and their endpoints answer.
 */

/**
 * Where a type's resources are kept: `builtin` in the resources table with its memberships and
 * values index (User, Group); `generic` in the schema-driven typed_resources table
 * (src/store/sql/typed.ts), served with no code per type; `custom` by code of its own
 * (GroupMembers: rows of the memberships table).
 */
export type ResourceStorage = 'builtin' | 'generic' | 'custom';

/** An attribute whose values name resources of another type (by their `value`, or by id). */
export interface ReferenceSpec {
  /** The attribute of the referring type, in its core schema. */
  readonly attribute: string;
  /** The resource type the values name. */
  readonly resourceType: string;
}

export interface ResourceTypeSpec {
  /** RFC 7643 §6: what /ResourceTypes shows; `endpoint` with its leading slash. */
  readonly resourceType: ResourceTypeDefinition;
  /** Its core schema and the schemas of the extensions it always offers, as /Schemas shows them. */
  readonly schemas: readonly SchemaDefinition[];
  /** Whether a tenant must enable it; User and Group are always there. */
  readonly optional: boolean;
  readonly storage: ResourceStorage;
  /** The noun of its event types: `scim.<noun>.created`, `.updated`, `.deleted`, in the one outbox and envelope. */
  readonly noun: string;
  /**
   * The core attribute (a single-valued string) kept folded in an indexed column, so that the
   * lookups clients make by it (`value eq "admin"`) and sorting by it use an index (generic storage).
   */
  readonly indexed?: string;
  /** Attributes whose values name resources of another type. */
  readonly references?: readonly ReferenceSpec[];
  /** The attributes that name a resource, carried by its deletion event (which has no resource). */
  readonly names: readonly string[];
  /**
   * Extensions this type adds to ANOTHER type while a tenant has it enabled (GroupMembers adds
   * `membersMetadata` to Group, draft-zollner-scim-group-members-01): listed in that type's
   * schemaExtensions (not required) and in /Schemas.
   */
  readonly extends?: readonly { readonly resourceType: string; readonly schema: SchemaDefinition }[];
}

export const USER_TYPE: ResourceTypeSpec = {
  resourceType: USER_RESOURCE_TYPE,
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  optional: false,
  storage: 'builtin',
  noun: 'user',
  indexed: 'userName',
  references: [
    { attribute: 'roles', resourceType: 'Role' },
    { attribute: 'entitlements', resourceType: 'Entitlement' },
  ],
  names: ['userName', 'displayName'],
};

export const GROUP_TYPE: ResourceTypeSpec = {
  resourceType: GROUP_RESOURCE_TYPE,
  schemas: [GROUP_SCHEMA],
  optional: false,
  storage: 'builtin',
  noun: 'group',
  indexed: 'displayName',
  names: ['displayName'],
};

/** Every resource type scimd knows, User and Group first. */
export const RESOURCE_TYPES: readonly ResourceTypeSpec[] = [
  USER_TYPE,
  GROUP_TYPE,
  ROLE_TYPE,
  ENTITLEMENT_TYPE,
  GROUP_MEMBER_TYPE,
  AGENT_TYPE,
  DEVICE_TYPE,
];

const lower = (s: string) => s.toLowerCase();
const endpointOfSpec = (spec: ResourceTypeSpec): string => spec.resourceType.endpoint.replace(/^\//, '');
// Names as spelt first: the representation asks for the endpoint of every resource it shows.
const byExactName = new Map(RESOURCE_TYPES.map((spec) => [spec.resourceType.name, spec]));
const byName = new Map(RESOURCE_TYPES.map((spec) => [lower(spec.resourceType.name), spec]));
const byEndpoint = new Map(RESOURCE_TYPES.map((spec) => [lower(endpointOfSpec(spec)), spec]));
const endpoints = new Map(RESOURCE_TYPES.map((spec) => [spec, endpointOfSpec(spec)]));

/** The spec of a resource type by its name (`Role`), in any case; undefined for a name scimd does not know. */
export function specOf(name: string): ResourceTypeSpec | undefined {
  return byExactName.get(name) ?? byName.get(lower(name));
}

/** The spec of a resource type by its endpoint (`Roles`, no slash), in any case. */
export function specAt(endpoint: string): ResourceTypeSpec | undefined {
  return byEndpoint.get(lower(endpoint));
}

/**
 * An optional type as an administrator names it: by endpoint (`Roles`, as in `scimd
 * resource-types enable Roles`) or by name (`Role`), in any case.
 */
export function optionalTypeNamed(name: string): ResourceTypeSpec | undefined {
  const spec = specAt(name) ?? specOf(name);
  return spec?.optional ? spec : undefined;
}

/** The optional types, as a tenant enables them. */
export const OPTIONAL_TYPES: readonly ResourceTypeSpec[] = RESOURCE_TYPES.filter((spec) => spec.optional);

/** The endpoint of a type below the base URL, without its slash (`Users`), as in `$ref`s, locations and event subjects. */
export function endpointOf(name: string): string {
  const spec = specOf(name);
  if (!spec) throw new Error(`unknown resource type ${name}`);
  return endpoints.get(spec)!;
}
