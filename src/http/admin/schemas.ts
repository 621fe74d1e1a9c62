import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidValue } from '../../errors/scim-error.ts';
import type { TenantExtension } from '../../schema/custom.ts';
import { renderSchema } from '../../schema/discovery.ts';
import type { SchemaService } from '../../service/schemas.ts';
import { route } from '../method-router.ts';

type Params = { tenant: string; schemaId?: string; name?: string };
type Query = { resourceType?: string; required?: string };

/**
 * The admin API of tenant extension schemas, relative to the /admin prefix (which brings the
 * admin authentication). A schema is shown in RFC 7643 §7 form plus the resource type it extends
 * and whether it is required there; `location` is its URL in this API.
 */
export function registerSchemaAdminRoutes(admin: FastifyInstance, deps: { schemas: SchemaService }): void {
  const { schemas } = deps;
  const render = (tenant: string, extension: TenantExtension) => {
    const location = `${admin.prefix}/tenants/${encodeURIComponent(tenant)}/schemas/${encodeURIComponent(extension.schema.id)}`;
    return { ...renderSchema(extension.schema, location), resourceType: extension.resourceType, required: extension.required };
  };
  const queryOf = (request: FastifyRequest) => request.query as Query;
  const requiredOf = (request: FastifyRequest): boolean | undefined => {
    const raw = queryOf(request).required;
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw invalidValue(`required must be true or false, got "${raw}"`);
    return raw === 'true';
  };

  route(admin, '/tenants/:tenant/schemas', {
    GET: async (request) => {
      const { tenant } = request.params as Params;
      const list = await schemas.list(tenant);
      return { totalResults: list.length, Resources: list.map((e) => render(tenant, e)) };
    },
    // RFC 7643 §7 schema JSON: creates the extension, or replaces it whole.
    POST: async (request, reply) => {
      const { tenant } = request.params as Params;
      const { resourceType } = queryOf(request);
      const required = requiredOf(request);
      const saved = await schemas.importSchema(tenant, {
        schema: request.body,
        ...(resourceType !== undefined ? { resourceType } : {}),
        ...(required !== undefined ? { required } : {}),
      });
      return reply.code(200).send(render(tenant, saved));
    },
  });
  route(admin, '/tenants/:tenant/schemas/:schemaId', {
    GET: async (request) => {
      const { tenant, schemaId } = request.params as Params;
      return render(tenant, await schemas.get(tenant, schemaId!));
    },
    DELETE: async (request, reply) => {
      const { tenant, schemaId } = request.params as Params;
      await schemas.removeSchema(tenant, schemaId!);
      return reply.code(204).send();
    },
  });
  // One RFC 7643 §7 attribute: added, or redefined when the schema has one of that name.
  route(admin, '/tenants/:tenant/schemas/:schemaId/attributes', {
    POST: async (request) => {
      const { tenant, schemaId } = request.params as Params;
      const { resourceType } = queryOf(request);
      const saved = await schemas.addAttribute(tenant, {
        schemaId: schemaId!,
        attribute: request.body,
        ...(resourceType !== undefined ? { resourceType } : {}),
      });
      return render(tenant, saved);
    },
  });
  route(admin, '/tenants/:tenant/schemas/:schemaId/attributes/:name', {
    DELETE: async (request, reply) => {
      const { tenant, schemaId, name } = request.params as Params;
      await schemas.removeAttribute(tenant, schemaId!, name!);
      return reply.code(204).send();
    },
  });
}
