import type { FastifyInstance } from 'fastify';
import type { ResourceTypeService } from '../../service/resource-types.ts';

const tags = ['resource types'];
const TENANT = { type: 'object', required: ['name'], properties: { name: { type: 'string', description: 'the tenant name' } } } as const;
const TENANT_AND_TYPE = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', description: 'the tenant name' },
    type: {
      type: 'string',
      description: 'an optional type, by endpoint or name, in any case: Roles, Entitlements, GroupMembers, Agents, Devices',
    },
  },
} as const;
const STATE = {
  type: 'object',
  required: ['name', 'endpoint', 'description', 'schema', 'enabled', 'browsable'],
  properties: {
    name: { type: 'string', description: 'RFC 7643 §6 ResourceType.name', examples: ['Role'] },
    endpoint: { type: 'string', description: 'its endpoint below the SCIM base URL, without the slash', examples: ['Roles'] },
    description: { type: 'string' },
    schema: { type: 'string', description: 'its core schema URN' },
    enabled: { type: 'boolean' },
    browsable: { type: 'boolean', description: 'whether GET /admin/tenants/{name}/{endpoint in lowercase} lists its resources' },
  },
} as const;
const STATES = {
  type: 'object',
  required: ['totalResults', 'Resources'],
  properties: { totalResults: { type: 'integer' }, Resources: { type: 'array', items: STATE } },
} as const;

type Params = { name: string; type: string };

/**
 * The admin API of a tenant's optional resource types (docs/resource-types.md), relative to the
 * /admin prefix. Enabling and disabling answer every optional type's state after the change.
 */
export function registerResourceTypeAdminRoutes(admin: FastifyInstance, deps: { readonly resourceTypes: ResourceTypeService }): void {
  const { resourceTypes } = deps;
  const listOf = (states: readonly unknown[]) => ({ totalResults: states.length, Resources: states });

  admin.get('/tenants/:name/resource-types', {
    schema: {
      summary: 'List the optional resource types and whether the tenant enabled each',
      tags,
      params: TENANT,
      response: { 200: STATES },
    },
    handler: async (request) => listOf(await resourceTypes.list((request.params as Params).name)),
  });
  admin.put('/tenants/:name/resource-types/:type', {
    schema: {
      summary: 'Enable an optional resource type for the tenant',
      description:
        'Its /ResourceTypes and /Schemas list it and its endpoint answers (other instances within a second). Enabling an enabled type changes nothing.',
      tags,
      params: TENANT_AND_TYPE,
      response: { 200: STATES },
    },
    handler: async (request) => {
      const { name, type } = request.params as Params;
      return listOf(await resourceTypes.enable(name, [type]));
    },
  });
  admin.delete('/tenants/:name/resource-types/:type', {
    schema: {
      summary: 'Disable an optional resource type for the tenant',
      description: 'Its endpoint answers 404 as an unknown path does; its resources are kept, and come back when it is enabled again.',
      tags,
      params: TENANT_AND_TYPE,
      response: { 200: STATES },
    },
    handler: async (request) => {
      const { name, type } = request.params as Params;
      return listOf(await resourceTypes.disable(name, [type]));
    },
  });
}
