import { type AttributeDefinition, attr, type SchemaDefinition } from '../attribute.ts';
import { MAX_NAME_LENGTH, MAX_TYPE_LENGTH, MAX_VALUE_LENGTH } from '../lengths.ts';
import type { ResourceTypeSpec } from './spec.ts';

/**
 * Roles and Entitlements (draft-ietf-scim-roles-entitlements-01, §3): the values a tenant's users
 * may hold in `roles` and `entitlements`, as resources of their own that an identity provider reads
 * (Okta and Entra ID import them) and the operator manages.
 *
 * Where scimd departs from the draft's sample schemas (docs/resource-types.md): the draft shows
 * every attribute readOnly, as published by a service provider that has its own way to define
 * them; scimd's only way is SCIM itself, so they are readWrite. `value` is unique in the tenant
 * (users refer to a role by its value); `id` is the common attribute of RFC 7643 §3.1.
 */

export const ROLE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Role';
export const ENTITLEMENT_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Entitlement';

function attributes(noun: 'role' | 'entitlement'): AttributeDefinition[] {
  const plural = `${noun}s`;
  return [
    attr('value', 'string', { required: true, uniqueness: 'server', maxLength: MAX_VALUE_LENGTH, description: `The value of a ${noun}.` }),
    attr('display', 'string', { maxLength: MAX_NAME_LENGTH, description: 'A human-readable name, primarily used for display purposes.' }),
    attr('type', 'string', { maxLength: MAX_TYPE_LENGTH, description: `A label indicating the ${noun}'s function.` }),
    attr('primary', 'boolean', { description: `Whether this is the primary or preferred ${noun}.` }),
    attr('supported', 'boolean', { description: `Whether the ${noun} is supported and usable in the service.` }),
    attr('limitedAssignmentsPermitted', 'boolean', { description: `Whether a limited number of users may be assigned this ${noun}.` }),
    attr('totalAssignmentsPermitted', 'integer', { description: `How many users may be assigned this ${noun}, directly or inherited.` }),
    // Counted, not stored (ROLE_TYPE.counts): a value a client sends is ignored.
    attr('totalAssignmentsUsed', 'integer', {
      mutability: 'readOnly',
      description: `How many users are assigned this ${noun}, directly or inherited.`,
    }),
    attr('containedBy', 'string', {
      multiValued: true,
      description: `The values of the "parent" ${plural} that grant a superset of this ${noun}'s permissions.`,
    }),
    attr('contains', 'string', { multiValued: true, description: `The values of the "child" ${plural} whose rights this ${noun} grants.` }),
  ];
}

export const ROLE_SCHEMA: SchemaDefinition = { id: ROLE_SCHEMA_ID, name: 'Role', description: 'Role', attributes: attributes('role') };

export const ENTITLEMENT_SCHEMA: SchemaDefinition = {
  id: ENTITLEMENT_SCHEMA_ID,
  name: 'Entitlement',
  description: 'Entitlement',
  attributes: attributes('entitlement'),
};

export const ROLE_TYPE: ResourceTypeSpec = {
  resourceType: { id: 'Role', name: 'Role', endpoint: '/Roles', description: 'Role', schema: ROLE_SCHEMA_ID, schemaExtensions: [] },
  schemas: [ROLE_SCHEMA],
  optional: true,
  storage: 'generic',
  noun: 'role',
  indexed: 'value',
  names: ['value', 'display'],
  counts: [
    { attribute: 'totalAssignmentsUsed', holders: { resourceType: 'User', attribute: 'roles' }, when: 'limitedAssignmentsPermitted' },
  ],
};

export const ENTITLEMENT_TYPE: ResourceTypeSpec = {
  resourceType: {
    id: 'Entitlement',
    name: 'Entitlement',
    endpoint: '/Entitlements',
    description: 'Entitlement',
    schema: ENTITLEMENT_SCHEMA_ID,
    schemaExtensions: [],
  },
  schemas: [ENTITLEMENT_SCHEMA],
  optional: true,
  storage: 'generic',
  noun: 'entitlement',
  indexed: 'value',
  names: ['value', 'display'],
  counts: [
    {
      attribute: 'totalAssignmentsUsed',
      holders: { resourceType: 'User', attribute: 'entitlements' },
      when: 'limitedAssignmentsPermitted',
    },
  ],
};
