import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { EventFeed } from '../../events/feed.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import { endpointOf, RESOURCE_TYPES } from '../../schema/types/catalogue.ts';
import { listParamsFromQuery, selectionFromQuery } from '../../service/list-params.ts';
import { resolveProfile } from '../../service/profiles.ts';
import type { RequestScope } from '../../service/resource-view.ts';
import type { ResourceService } from '../../service/resources.ts';
import type { RegistrySource } from '../../service/schema-registries.ts';
import type { TenantOverview } from '../../service/tenant-overview.ts';
import type { TenantService } from '../../service/tenants.ts';
import { TENANT, TENANT_NAME_PARAMS } from './models.ts';
import { tenantView } from './tenants.ts';
import './console-auth.ts';
import { scimOpenApiDocument } from '../scim-openapi.ts';

const tags = ['console'];
const ANY_OBJECT = { type: 'object', additionalProperties: true } as const;
const BY_ID = {
  type: 'object',
  required: ['name', 'id'],
  properties: { name: { type: 'string', description: 'the tenant name' }, id: { type: 'string', description: 'the resource id' } },
} as const;

type ByName = FastifyRequest<{ Params: { name: string }; Querystring: Record<string, unknown> }>;
type ById = FastifyRequest<{ Params: { name: string; id: string }; Querystring: Record<string, unknown> }>;

const ACTIVITY = {
  users: { type: 'integer' },
  groups: { type: 'integer' },
  requests: { type: 'integer', description: 'SCIM requests in the last 24 hours' },
  errors: { type: 'integer', description: 'of which answered 400 or above' },
  lastRequest: {
    type: ['object', 'null'],
    properties: {
      time: { type: 'string' },
      client: { type: 'string' },
      status: { type: 'integer' },
      userAgent: { type: ['string', 'null'] },
    },
  },
} as const;

export interface TenantViewDeps {
  readonly config: Config;
  readonly tenants: TenantService;
  readonly overview: TenantOverview;
  readonly resources: ResourceService;
  readonly registries: RegistrySource;
  readonly feed: EventFeed;
}

/** What the console reads of a tenant beyond the plain admin routes: activity, users and groups, its schemas, its events. */
export function registerTenantViewRoutes(admin: FastifyInstance, deps: TenantViewDeps): void {
  const { config } = deps;
  const scimUrl = (request: FastifyRequest) => `${config.publicUrl ?? `${request.protocol}://${request.host}`}${config.basePath}`;
  const scopeOf = async (request: ByName): Promise<RequestScope> => {
    const tenant = await deps.tenants.findTenant(request.params.name);
    return { tenantId: tenant.id, baseUrl: scimUrl(request), profile: resolveProfile(tenant.profile) };
  };

  admin.get('/console/tenants', {
    schema: {
      summary: 'Tenants with their activity',
      description: 'Every tenant with its user and group counts and its request log of the last 24 hours.',
      tags,
      response: {
        200: {
          type: 'object',
          required: ['tenants'],
          properties: { tenants: { type: 'array', items: { type: 'object', properties: { ...TENANT.properties, ...ACTIVITY } } } },
        },
      },
    },
    handler: async () => {
      const tenants = await deps.tenants.listTenants();
      return { tenants: await Promise.all(tenants.map(async (t) => ({ ...tenantView(t), ...(await deps.overview.activity(t.id)) }))) };
    },
  });

  admin.get('/tenants/:name/overview', {
    schema: {
      summary: 'A tenant at a glance',
      description:
        "Counts, requests and errors in the last 24 hours, the last request of its identity provider, and each event sink's position for it.",
      tags,
      params: TENANT_NAME_PARAMS,
      response: {
        200: {
          type: 'object',
          properties: {
            tenant: TENANT,
            ...ACTIVITY,
            latestSequence: { type: 'integer', description: "the tenant's newest event" },
            sinks: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  sink: { type: 'string' },
                  deliveredSequence: { type: 'integer' },
                  pending: { type: 'integer' },
                  lagSeconds: { type: 'integer', description: 'age of the oldest undelivered event' },
                  lastError: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
      },
    },
    handler: async (request) => {
      const overview = await deps.overview.overview((request as ByName).params.name);
      return { ...overview, tenant: tenantView(overview.tenant) };
    },
  });

  admin.get('/tenants/:name/setup', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: 'What an identity provider needs for a tenant: its SCIM URL and the attributes scimd understands',
      tags,
      params: TENANT_NAME_PARAMS,
      response: {
        200: {
          type: 'object',
          properties: {
            tenant: { type: 'string' },
            scimUrl: { type: 'string' },
            schemas: { type: 'array', items: ANY_OBJECT, description: "the tenant's schemas, as /Schemas lists them" },
          },
        },
      },
    },
    handler: async (request) => {
      const scope = await scopeOf(request as ByName);
      const registry = await deps.registries.forTenant(scope.tenantId);
      return { tenant: (request as ByName).params.name, scimUrl: scope.baseUrl, schemas: registry.schemas() };
    },
  });

  admin.get('/tenants/:name/openapi.json', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: "The OpenAPI 3.1 description of a tenant's SCIM API",
      description:
        "What GET {SCIM base}/openapi.json answers with the tenant's token: its resource types, extensions and custom attributes.",
      tags,
      params: TENANT_NAME_PARAMS,
      response: { 200: { ...ANY_OBJECT, description: 'An OpenAPI 3.1 document' } },
    },
    handler: async (request) => {
      const scope = await scopeOf(request as ByName);
      const registry = await deps.registries.forTenant(scope.tenantId);
      return scimOpenApiDocument(registry, { baseUrl: scope.baseUrl, tenant: (request as ByName).params.name });
    },
  });

  const resourceRoutes = (path: string, type: ResourceTypeName, setup: boolean) => {
    const routeConfig: FastifyContextConfig = setup ? { setupAccess: 'tenant' } : {};
    admin.get(`/tenants/:name/${path}`, {
      config: routeConfig,
      schema: {
        summary: `A tenant's ${path}, read-only`,
        description: 'A SCIM ListResponse (RFC 9865 cursor paging): filter takes any SCIM filter; follow nextCursor.',
        tags,
        params: TENANT_NAME_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            filter: { type: 'string' },
            cursor: { type: 'string', default: '' },
            count: { type: 'integer', minimum: 1, maximum: 200, default: 25 },
          },
        },
        response: { 200: ANY_OBJECT },
      },
      handler: async (request) => {
        const r = request as ByName;
        return deps.resources.list(await scopeOf(r), [type], listParamsFromQuery(r.query, config.requestLimits.attributeList));
      },
    });
    admin.get(`/tenants/:name/${path}/:id`, {
      config: routeConfig,
      schema: { summary: `One of a tenant's ${path}, as SCIM returns it`, tags, params: BY_ID, response: { 200: ANY_OBJECT } },
      handler: async (request) => {
        const r = request as ById;
        return (await deps.resources.get(await scopeOf(r), type, r.params.id, selectionFromQuery({}))).resource;
      },
    });
  };
  resourceRoutes('users', 'User', true);
  resourceRoutes('groups', 'Group', false);
  // The optional types of the generic store (docs/resource-types.md): 404 where the tenant has not enabled them.
  for (const spec of RESOURCE_TYPES) {
    if (spec.storage === 'generic') resourceRoutes(endpointOf(spec.resourceType.name).toLowerCase(), spec.resourceType.name, false);
  }

  admin.get('/tenants/:name/events', {
    schema: {
      summary: "A tenant's recent events",
      description: 'The newest events of the outbox (CloudEvents), oldest first, with the newest sequence.',
      tags,
      params: TENANT_NAME_PARAMS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { count: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
      },
      response: {
        200: { type: 'object', properties: { latestSequence: { type: 'integer' }, events: { type: 'array', items: ANY_OBJECT } } },
      },
    },
    handler: async (request) => {
      const r = request as FastifyRequest<{ Params: { name: string }; Querystring: { count: number } }>;
      const overview = await deps.overview.overview(r.params.name);
      const after = Math.max(0, overview.latestSequence - r.query.count);
      return { latestSequence: overview.latestSequence, events: await deps.feed.read(overview.tenant.id, after, r.query.count) };
    },
  });
}
