import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROFILE_NAMES, PROFILES, resolveProfile } from '../../service/profiles.ts';
import type { TenantService } from '../../service/tenants.ts';
import type { TenantRecord } from '../../store/ports/tenants.ts';
import { BEHAVIOURS, PROFILE_BODY, TENANT, TENANT_NAME_PARAMS } from './models.ts';

type ByName = FastifyRequest<{ Params: { name: string } }>;

const tags = ['tenants'];

export function tenantView(tenant: TenantRecord) {
  return {
    id: tenant.id,
    name: tenant.name,
    createdAt: tenant.createdAt,
    disabled: tenant.disabledAt !== undefined,
    disabledAt: tenant.disabledAt,
    profile: tenant.profile.name,
    profileOverrides: tenant.profile.overrides,
    behaviours: resolveProfile(tenant.profile),
  };
}

/** Tenants: create, list, read, disable, enable, delete with all their data. */
export function registerTenantRoutes(admin: FastifyInstance, tenants: TenantService): void {
  admin.get('/tenants', {
    schema: {
      summary: 'List tenants',
      tags,
      response: { 200: { type: 'object', required: ['tenants'], properties: { tenants: { type: 'array', items: TENANT } } } },
    },
    handler: async () => ({ tenants: (await tenants.listTenants()).map(tenantView) }),
  });

  admin.post('/tenants', {
    schema: {
      summary: 'Create a tenant',
      description: 'A name is 1 to 63 characters of a-z, 0-9, "-" and "_", starting with a letter or digit; 409 when taken.',
      tags,
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: 'string', examples: ['contoso'] } },
      },
      response: { 201: { description: 'Created', ...TENANT } },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.createTenant((request.body as { name: string }).name);
      return reply.code(201).header('location', `${admin.prefix}/tenants/${tenant.name}`).send(tenantView(tenant));
    },
  });

  admin.get('/tenants/:name', {
    config: { setupAccess: 'tenant' },
    schema: { summary: 'Read a tenant', tags, params: TENANT_NAME_PARAMS, response: { 200: TENANT } },
    handler: async (request) => tenantView(await tenants.findTenant((request as ByName).params.name)),
  });

  admin.post('/tenants/:name/disable', {
    schema: {
      summary: 'Disable a tenant',
      description:
        'Its SCIM tokens are refused with 403 at once on this instance, and within a second on the others (authentication cache). Data, tokens and events are kept. Idempotent.',
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: TENANT },
    },
    handler: async (request) => tenantView(await tenants.disableTenant((request as ByName).params.name)),
  });

  admin.post('/tenants/:name/enable', {
    schema: { summary: 'Enable a disabled tenant', tags, params: TENANT_NAME_PARAMS, response: { 200: TENANT } },
    handler: async (request) => tenantView(await tenants.enableTenant((request as ByName).params.name)),
  });

  admin.get('/profiles', {
    schema: {
      summary: 'The compatibility profiles and their behaviours',
      description: 'Each profile a tenant may have (docs/profiles.md), with what each of its behaviours is.',
      tags,
      response: {
        200: {
          type: 'object',
          required: ['profiles'],
          properties: { profiles: { type: 'object', properties: Object.fromEntries(PROFILE_NAMES.map((name) => [name, BEHAVIOURS])) } },
        },
      },
    },
    handler: async () => ({ profiles: PROFILES }),
  });

  admin.put('/tenants/:name/profile', {
    schema: {
      summary: "Set a tenant's compatibility profile",
      description:
        'The profile (lenient, strict, entra, okta) and overrides of single behaviours, both replaced (docs/profiles.md). Requests follow at once on this instance and within a second on the others (authentication cache).',
      tags,
      params: TENANT_NAME_PARAMS,
      body: PROFILE_BODY,
      response: { 200: TENANT },
    },
    handler: async (request) => {
      const body = request.body as { profile: string; overrides?: unknown };
      return tenantView(await tenants.setProfile((request as ByName).params.name, body.profile, body.overrides));
    },
  });

  admin.delete('/tenants/:name', {
    schema: {
      summary: 'Delete a tenant with all its data',
      description:
        'Resources, memberships, outbox events (delivered or not; no events are emitted for the deletion), delivery state and tokens, in one transaction. The audit log keeps its entries. Not reversible.',
      tags,
      params: TENANT_NAME_PARAMS,
      response: {
        200: {
          description: 'Deleted: what was removed',
          type: 'object',
          required: ['tenant', 'resources', 'tokens', 'events'],
          properties: {
            tenant: { type: 'string' },
            resources: { type: 'integer' },
            tokens: { type: 'integer' },
            events: { type: 'integer' },
          },
        },
      },
    },
    handler: async (request) => {
      const deleted = await tenants.deleteTenant((request as ByName).params.name);
      return { tenant: deleted.tenant.name, resources: deleted.resources, tokens: deleted.tokens, events: deleted.events };
    },
  });
}
