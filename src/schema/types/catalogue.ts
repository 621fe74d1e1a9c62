import { ENTERPRISE_USER_SCHEMA } from '../core/enterprise-user.ts';
import { GROUP_SCHEMA } from '../core/group.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../core/resource-types.ts';
import { USER_SCHEMA } from '../core/user.ts';
import { AGENT_TYPE } from './agent.ts';
import { DEVICE_TYPE } from './device.ts';
import { GROUP_MEMBER_TYPE } from './group-member.ts';
import { ENTITLEMENT_TYPE, ROLE_TYPE } from './roles-entitlements.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * Resource types as data (docs/resource-types.md): what a kind of resource is, from its endpoint to
 * the events it emits, so that the schema registry, the routes, the stores and the event builder
 * serve it without code of its own. User and Group are two of them; the others are optional, and
 * a tenant enables them (`scimd resource-types enable`), after which its /ResourceTypes and
 * /Schemas list them and their endpoints answer.
 */

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
