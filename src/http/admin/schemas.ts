import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidValue } from '../../errors/scim-error.ts';
import { EXTENDED_RESOURCE_TYPES, type TenantExtension } from '../../schema/custom.ts';
import { renderSchema } from '../../schema/discovery.ts';
import type { SchemaService } from '../../service/schemas.ts';

const tags = ['schemas'];
const PARAM_DESCRIPTIONS = { name: 'the tenant name', schemaId: 'the schema URN', attribute: 'the attribute name' } as const;
const params = (...names: (keyof typeof PARAM_DESCRIPTIONS)[]) => ({
  type: 'object',
  required: names,
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string', description: PARAM_DESCRIPTIONS[n] }])),
});
// A schema in RFC 7643 §7 form, with resourceType and required: open, so that serialization keeps every field.
const SCHEMA = { description: 'An extension schema (RFC 7643 §7)', type: 'object', additionalProperties: true } as const;
const SCHEMA_LIST = {
  type: 'object',
  required: ['totalResults', 'Resources'],
  properties: { totalResults: { type: 'integer' }, Resources: { type: 'array', items: SCHEMA } },
} as const;

type Params = { name: string; schemaId?: string; attribute?: string };
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

  admin.get('/tenants/:name/schemas', {
    schema: { summary: "List a tenant's extension schemas", tags, params: params('name'), response: { 200: SCHEMA_LIST } },
    handler: async (request) => {
      const { name: tenant } = request.params as Params;
      const list = await schemas.list(tenant);
      return { totalResults: list.length, Resources: list.map((e) => render(tenant, e)) };
    },
  });
  admin.post('/tenants/:name/schemas', {
    schema: {
      summary: 'Import an extension schema (RFC 7643 §7 JSON)',
      description: `Creates the extension, or replaces it whole. Query: resourceType (${EXTENDED_RESOURCE_TYPES.join(', ')}; default: the URN's last segment), required (true or false).`,
      tags,
      params: params('name'),
      response: { 200: SCHEMA },
    },
    handler: async (request) => {
      const { name: tenant } = request.params as Params;
      const { resourceType } = queryOf(request);
      const required = requiredOf(request);
      const saved = await schemas.importSchema(tenant, {
        schema: request.body,
        ...(resourceType !== undefined ? { resourceType } : {}),
        ...(required !== undefined ? { required } : {}),
      });
      return render(tenant, saved);
    },
  });
  admin.get('/tenants/:name/schemas/:schemaId', {
    schema: { summary: 'Read one extension schema of a tenant', tags, params: params('name', 'schemaId'), response: { 200: SCHEMA } },
    handler: async (request) => {
      const { name: tenant, schemaId } = request.params as Params;
      return render(tenant, await schemas.get(tenant, schemaId!));
    },
  });
  admin.delete('/tenants/:name/schemas/:schemaId', {
    schema: {
      summary: 'Remove an extension schema',
      description: "Its values leave the tenant's resources in the same transaction.",
      tags,
      params: params('name', 'schemaId'),
      response: { 204: { description: 'Removed', type: 'null' } },
    },
    handler: async (request, reply) => {
      const { name: tenant, schemaId } = request.params as Params;
      await schemas.removeSchema(tenant, schemaId!);
      return reply.code(204).send();
    },
  });
  admin.post('/tenants/:name/schemas/:schemaId/attributes', {
    schema: {
      summary: 'Add or redefine one attribute of an extension schema (RFC 7643 §7 attribute JSON)',
      description: 'A redefinition that stored values cannot satisfy is refused. Query: resourceType when the schema is new.',
      tags,
      params: params('name', 'schemaId'),
      response: { 200: SCHEMA },
    },
    handler: async (request) => {
      const { name: tenant, schemaId } = request.params as Params;
      const { resourceType } = queryOf(request);
      const saved = await schemas.addAttribute(tenant, {
        schemaId: schemaId!,
        attribute: request.body,
        ...(resourceType !== undefined ? { resourceType } : {}),
      });
      return render(tenant, saved);
    },
  });
  admin.delete('/tenants/:name/schemas/:schemaId/attributes/:attribute', {
    schema: {
      summary: 'Remove one attribute of an extension schema',
      description: "Its values leave the tenant's resources in the same transaction.",
      tags,
      params: params('name', 'schemaId', 'attribute'),
      response: { 204: { description: 'Removed', type: 'null' } },
    },
    handler: async (request, reply) => {
      const { name: tenant, schemaId, attribute } = request.params as Params;
      await schemas.removeAttribute(tenant, schemaId!, attribute!);
      return reply.code(204).send();
    },
  });
}
