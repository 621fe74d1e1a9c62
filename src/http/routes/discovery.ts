import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { forbidden, notFound } from '../../errors/scim-error.ts';
import { renderResourceType, renderSchema } from '../../schema/discovery.ts';
import type { SchemaRegistry } from '../../schema/registry.ts';
import type { BulkLimits } from '../../service/bulk.ts';
import { conformsToInteropProfile } from '../../service/profiles.ts';
import { LIST_RESPONSE_SCHEMA, type ListLimits } from '../../service/resource-list.ts';
import type { RegistrySource } from '../../service/schema-registries.ts';
import { type AuthenticationScheme, type Features, serviceProviderConfig } from '../../service/service-provider-config.ts';
import { route } from '../method-router.ts';
import { baseUrlOf, scopeOf } from '../request-context.ts';
import { sendScim } from '../scim-reply.ts';

type Query = Record<string, unknown>;

/** RFC 7644 §4: discovery endpoints answer without filtering (a filter is 403, as §4 says). */
function refuseFilter(request: FastifyRequest): void {
  if ((request.query as Query)['filter'] !== undefined) {
    throw forbidden('filtering is not supported on discovery endpoints (RFC 7644 §4)');
  }
}

function listOf(resources: readonly unknown[]) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

export function registerDiscoveryRoutes(
  app: FastifyInstance,
  config: Config,
  registries: RegistrySource,
  features: Features,
  limits: ListLimits,
  bulkLimits: BulkLimits,
  schemesOf: (tenantId: string) => Promise<readonly AuthenticationScheme[]>,
): void {
  // /Schemas and /ResourceTypes show the requesting tenant's extensions, and only its own.
  const registryOf = (request: FastifyRequest): Promise<SchemaRegistry> => registries.forTenant(scopeOf(config, request).tenantId);
  const schemaDocs = (registry: SchemaRegistry, base: string) => registry.schemas().map((s) => renderSchema(s, `${base}/Schemas/${s.id}`));
  const resourceTypeDocs = (registry: SchemaRegistry, base: string) =>
    registry.resourceTypes().map((rt) => renderResourceType(rt, `${base}/ResourceTypes/${rt.id}`));

  route(app, '/ServiceProviderConfig', {
    GET: async (request, reply) => {
      refuseFilter(request);
      const base = baseUrlOf(config, request);
      const scope = scopeOf(config, request);
      const schemes = await schemesOf(scope.tenantId);
      const conformant = conformsToInteropProfile(scope.profile);
      const registry = await registries.forTenant(scope.tenantId);
      const rolesAndEntitlements = { roles: !!registry.resourceType('Role'), entitlements: !!registry.resourceType('Entitlement') };
      return sendScim(
        reply,
        serviceProviderConfig(
          features,
          limits,
          bulkLimits,
          `${base}/ServiceProviderConfig`,
          schemes,
          config.eventRetentionSeconds,
          conformant,
          rolesAndEntitlements,
        ),
      );
    },
  });
  route(app, '/Schemas', {
    GET: async (request, reply) => {
      refuseFilter(request);
      return sendScim(reply, listOf(schemaDocs(await registryOf(request), baseUrlOf(config, request))));
    },
  });
  route(app, '/Schemas/:id', {
    GET: async (request, reply) => {
      refuseFilter(request);
      const { id } = request.params as { id: string };
      const schema = (await registryOf(request)).schema(id);
      if (!schema) throw notFound(`no schema ${id}`);
      return sendScim(reply, renderSchema(schema, `${baseUrlOf(config, request)}/Schemas/${schema.id}`));
    },
  });
  route(app, '/ResourceTypes', {
    GET: async (request, reply) => {
      refuseFilter(request);
      return sendScim(reply, listOf(resourceTypeDocs(await registryOf(request), baseUrlOf(config, request))));
    },
  });
  route(app, '/ResourceTypes/:id', {
    GET: async (request, reply) => {
      refuseFilter(request);
      const { id } = request.params as { id: string };
      const rt = (await registryOf(request)).resourceType(id);
      if (!rt) throw notFound(`no resource type ${id}`);
      return sendScim(reply, renderResourceType(rt, `${baseUrlOf(config, request)}/ResourceTypes/${rt.id}`));
    },
  });
}
