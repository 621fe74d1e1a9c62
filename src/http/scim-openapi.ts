import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { ERROR_SCHEMA } from '../errors/to-response.ts';
import type { AttributeDefinition, ResourceTypeDefinition } from '../schema/attribute.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { RegistrySource } from '../service/schema-registries.ts';
import { VERSION } from '../version.ts';
import { route } from './method-router.ts';
import { baseUrlOf, scopeOf } from './request-context.ts';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const param = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/** RFC 7643 §2.3 data types as JSON Schema. */
function attributeSchema(a: AttributeDefinition): Json {
  let schema: Json;
  switch (a.type) {
    case 'string':
      schema = { type: 'string', ...(a.maxLength !== undefined ? { maxLength: a.maxLength } : {}) };
      break;
    case 'boolean':
      schema = { type: 'boolean' };
      break;
    case 'decimal':
      schema = { type: 'number' };
      break;
    case 'integer':
      schema = { type: 'integer' };
      break;
    case 'dateTime':
      schema = { type: 'string', format: 'date-time' };
      break;
    case 'reference':
      schema = { type: 'string', format: 'uri-reference' };
      break;
    case 'binary':
      schema = { type: 'string', contentEncoding: 'base64' };
      break;
    case 'complex':
      schema = objectSchema(a.subAttributes ?? []);
      break;
    default: {
      const never: never = a.type;
      throw new Error(`unknown attribute type ${String(never)}`);
    }
  }
  if (a.canonicalValues && a.canonicalValues.length > 0) schema['examples'] = [...a.canonicalValues];
  const described: Json = a.multiValued ? { type: 'array', items: schema } : schema;
  if (a.description) described['description'] = a.description;
  if (a.mutability === 'readOnly') described['readOnly'] = true;
  if (a.mutability === 'writeOnly' || a.returned === 'never') described['writeOnly'] = true;
  return described;
}

function objectSchema(attributes: readonly AttributeDefinition[]): Json {
  const required = attributes.filter((a) => a.required && a.mutability !== 'readOnly').map((a) => a.name);
  // SCIM's "$ref" sub-attribute (members, groups, manager) as a property key reads as a JSON
  // reference to most OpenAPI tools: it is described by a pattern instead.
  const named = attributes.filter((a) => a.name !== '$ref');
  const ref = attributes.find((a) => a.name === '$ref');
  return {
    type: 'object',
    properties: Object.fromEntries(named.map((a) => [a.name, attributeSchema(a)])),
    ...(ref ? { patternProperties: { '^\\$ref$': attributeSchema(ref) } } : {}),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** A resource type's representation: common attributes, the core schema's, and each extension under its URN. */
function resourceSchema(registry: SchemaRegistry, rt: ResourceTypeDefinition): Json {
  const core = objectSchema(registry.coreSchema(rt.name).attributes);
  const properties = core['properties'] as Json;
  const extensions = rt.schemaExtensions.flatMap((e) => {
    const schema = registry.schema(e.schema);
    return schema ? [{ ...e, schema }] : [];
  });
  for (const e of extensions)
    properties[e.schema.id] = { ...objectSchema(e.schema.attributes), description: e.schema.description || e.schema.name };
  const requiredExtensions = extensions.filter((e) => e.required).map((e) => e.schema.id);
  return {
    type: 'object',
    description: rt.description,
    required: ['schemas', ...((core['required'] as string[] | undefined) ?? []), ...requiredExtensions],
    properties: {
      schemas: { type: 'array', items: { type: 'string' }, examples: [[rt.schema]] },
      id: { type: 'string', readOnly: true },
      externalId: { type: 'string' },
      meta: ref('Meta'),
      ...properties,
    },
  };
}

const MESSAGE = (urn: string) => ({
  type: 'array',
  items: { type: 'string' },
  examples: [[`urn:ietf:params:scim:api:messages:2.0:${urn}`]],
});

const COMMON_SCHEMAS: Json = {
  Meta: {
    type: 'object',
    readOnly: true,
    properties: {
      resourceType: { type: 'string' },
      created: { type: 'string', format: 'date-time' },
      lastModified: { type: 'string', format: 'date-time' },
      location: { type: 'string', format: 'uri' },
      version: { type: 'string', description: 'the ETag' },
    },
  },
  Error: {
    type: 'object',
    description: 'RFC 7644 §3.12 error body',
    required: ['schemas', 'status', 'detail'],
    properties: {
      schemas: { type: 'array', items: { const: ERROR_SCHEMA } },
      status: { type: 'string', examples: ['400'] },
      scimType: { type: 'string', examples: ['invalidFilter'] },
      detail: { type: 'string' },
    },
  },
  PatchOp: {
    type: 'object',
    description: 'RFC 7644 §3.5.2',
    required: ['schemas', 'Operations'],
    properties: {
      schemas: MESSAGE('PatchOp'),
      Operations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['op'],
          properties: { op: { type: 'string', examples: ['add', 'remove', 'replace'] }, path: { type: 'string' }, value: {} },
        },
      },
    },
  },
  SearchRequest: {
    type: 'object',
    description: 'RFC 7644 §3.4.3',
    properties: {
      schemas: MESSAGE('SearchRequest'),
      filter: { type: 'string' },
      startIndex: { type: 'integer' },
      count: { type: 'integer' },
      sortBy: { type: 'string' },
      sortOrder: { type: 'string', enum: ['ascending', 'descending'] },
      attributes: { type: 'array', items: { type: 'string' } },
      excludedAttributes: { type: 'array', items: { type: 'string' } },
      cursor: { type: 'string' },
    },
  },
  BulkRequest: {
    type: 'object',
    description: 'RFC 7644 §3.7',
    required: ['schemas', 'Operations'],
    properties: {
      schemas: MESSAGE('BulkRequest'),
      failOnErrors: { type: 'integer', minimum: 1 },
      Operations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['method', 'path'],
          properties: {
            method: { type: 'string', enum: ['POST', 'PUT', 'PATCH', 'DELETE'] },
            bulkId: { type: 'string' },
            version: { type: 'string' },
            path: { type: 'string' },
            data: { type: 'object' },
          },
        },
      },
    },
  },
  BulkResponse: {
    type: 'object',
    properties: {
      schemas: MESSAGE('BulkResponse'),
      Operations: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            method: { type: 'string' },
            bulkId: { type: 'string' },
            version: { type: 'string' },
            location: { type: 'string' },
            status: { type: 'string' },
            response: ref('Error'),
          },
        },
      },
    },
  },
  ListResponse: {
    type: 'object',
    description: 'RFC 7644 §3.4.2',
    properties: {
      schemas: MESSAGE('ListResponse'),
      totalResults: { type: 'integer' },
      startIndex: { type: 'integer' },
      itemsPerPage: { type: 'integer' },
      nextCursor: { type: 'string' },
      previousCursor: { type: 'string' },
      Resources: { type: 'array', items: { type: 'object' } },
    },
  },
  Discovery: { type: 'object', description: 'RFC 7643 §5–§7 discovery document' },
  Events: { type: 'object', description: 'a page of the event feed (docs/events.md)' },
};

const PARAMETERS: Json = {
  id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
  filter: { name: 'filter', in: 'query', schema: { type: 'string' }, description: 'RFC 7644 §3.4.2.2' },
  startIndex: { name: 'startIndex', in: 'query', schema: { type: 'integer', minimum: 1 } },
  count: { name: 'count', in: 'query', schema: { type: 'integer', minimum: 0 } },
  sortBy: { name: 'sortBy', in: 'query', schema: { type: 'string' } },
  sortOrder: { name: 'sortOrder', in: 'query', schema: { type: 'string', enum: ['ascending', 'descending'] } },
  attributes: { name: 'attributes', in: 'query', schema: { type: 'string' }, description: 'comma-separated attribute names' },
  excludedAttributes: { name: 'excludedAttributes', in: 'query', schema: { type: 'string' } },
  cursor: { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'RFC 9865 cursor paging' },
  ifMatch: { name: 'If-Match', in: 'header', schema: { type: 'string' }, description: 'the ETag the write expects (412 otherwise)' },
  ifNoneMatch: { name: 'If-None-Match', in: 'header', schema: { type: 'string' }, description: '304 when the ETag matches' },
};

const ERROR_STATUSES: Readonly<Record<string, string>> = {
  '400': 'invalid request (scimType says why)',
  '401': 'no valid bearer token',
  '403': 'the tenant is disabled',
  '404': 'no such resource',
  '409': 'a uniqueness conflict',
  '412': 'the If-Match version is stale',
  '413': 'the body or the bulk request is too large',
  '429': 'a rate limit was reached (Retry-After)',
  '500': 'an unexpected failure (the request id is in the detail)',
  '501': 'not implemented (/Me with a static token)',
  '503': 'the database or an issuer is unavailable (Retry-After)',
};

const ALWAYS = ['400', '401', '403', '429', '500', '503'];

function responses(success: Json, extra: readonly string[] = []): Json {
  const out: Json = { ...success };
  for (const status of [...ALWAYS, ...extra].sort()) out[status] = { $ref: `#/components/responses/E${status}` };
  return out;
}

const scimBody = (schema: Json) => ({ content: { 'application/scim+json': { schema }, 'application/json': { schema } } });
const ok = (description: string, schema: Json) => ({ description, ...scimBody(schema) });
const LIST_PARAMS = ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes', 'cursor'].map(param);
const PROJECTION = [param('attributes'), param('excludedAttributes')];

/**
 * A type none of whose core attributes a client may change (GroupMember: a membership is created
 * or deleted, never updated, draft-zollner-scim-group-members-01 §6) has no PUT or PATCH.
 */
function updatable(registry: SchemaRegistry, rt: ResourceTypeDefinition): boolean {
  return registry.coreSchema(rt.name).attributes.some((a) => a.mutability === 'readWrite' || a.mutability === 'writeOnly');
}

function resourcePaths(rt: ResourceTypeDefinition, updates: boolean): Json {
  const name = rt.name;
  const tag = [name];
  const resource = ref(name);
  const one = {
    get: {
      operationId: `get${name}`,
      tags: tag,
      summary: `Retrieve a ${name} (RFC 7644 §3.4.1)`,
      parameters: [param('id'), ...PROJECTION, param('ifNoneMatch')],
      responses: responses({ '200': ok(`the ${name}`, resource), '304': { description: 'not modified' } }, ['404']),
    },
    put: {
      operationId: `replace${name}`,
      tags: tag,
      summary: `Replace a ${name} (RFC 7644 §3.5.1)`,
      parameters: [param('id'), ...PROJECTION, param('ifMatch')],
      requestBody: { required: true, ...scimBody(resource) },
      responses: responses({ '200': ok(`the ${name} as replaced`, resource) }, ['404', '409', '412', '413']),
    },
    patch: {
      operationId: `patch${name}`,
      tags: tag,
      summary: `Modify a ${name} (RFC 7644 §3.5.2)`,
      parameters: [param('id'), ...PROJECTION, param('ifMatch')],
      requestBody: { required: true, ...scimBody(ref('PatchOp')) },
      responses: responses(
        {
          '200': ok(`the ${name} as modified, as GET shows it (asked for, or a user's default)`, resource),
          '204': { description: 'modified, no body: Prefer: return=minimal, or a group\'s default (docs/protocol.md "PATCH answers")' },
        },
        ['404', '409', '412', '413'],
      ),
    },
    delete: {
      operationId: `delete${name}`,
      tags: tag,
      summary: `Delete a ${name} (RFC 7644 §3.6)`,
      parameters: [param('id'), param('ifMatch')],
      responses: responses({ '204': { description: 'deleted' } }, ['404', '412']),
    },
  };
  return {
    [rt.endpoint]: {
      get: {
        operationId: `list${name}`,
        tags: tag,
        summary: `List or filter ${rt.endpoint.slice(1)} (RFC 7644 §3.4.2)`,
        parameters: LIST_PARAMS,
        responses: responses({ '200': ok('a page', ref('ListResponse')) }),
      },
      post: {
        operationId: `create${name}`,
        tags: tag,
        summary: `Create a ${name} (RFC 7644 §3.3)`,
        parameters: PROJECTION,
        requestBody: { required: true, ...scimBody(resource) },
        responses: responses({ '201': ok(`the ${name} created`, resource) }, ['409', '413']),
      },
    },
    [`${rt.endpoint}/.search`]: {
      post: {
        operationId: `search${name}`,
        tags: tag,
        summary: `Search ${rt.endpoint.slice(1)} with a POST body (RFC 7644 §3.4.3)`,
        requestBody: { required: true, ...scimBody(ref('SearchRequest')) },
        responses: responses({ '200': ok('a page', ref('ListResponse')) }, ['413']),
      },
    },
    [`${rt.endpoint}/{id}`]: updates ? one : { get: one.get, delete: one.delete },
  };
}

function discovery(path: string, id: string, summary: string, byId = false): Json {
  return {
    [path]: {
      get: {
        operationId: id,
        tags: ['discovery'],
        summary,
        ...(byId ? { parameters: [param('id')] } : {}),
        responses: responses({ '200': ok(summary, ref('Discovery')) }, byId ? ['404'] : []),
      },
    },
  };
}

/**
 * The OpenAPI 3.1 description of a tenant's SCIM API, generated from its schema registry: its
 * resource types with their extensions and custom attributes, every endpoint with its parameters,
 * bodies and errors. Served at {basePath}/openapi.json with the tenant's token.
 */
export function scimOpenApiDocument(registry: SchemaRegistry, options: { readonly baseUrl: string; readonly tenant: string }): Json {
  const resourceTypes = registry.resourceTypes();
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_STATUSES).map(([status, description]) => [`E${status}`, { description, ...scimBody(ref('Error')) }]),
  );
  const me = resourceTypes.find((rt) => rt.name === 'User');
  return {
    openapi: '3.1.0',
    info: {
      title: `scimd SCIM 2.0 API of tenant ${options.tenant}`,
      version: VERSION,
      description: 'RFC 7643 / RFC 7644 as this tenant sees it: its resource types, extension schemas and custom attributes.',
    },
    servers: [{ url: options.baseUrl }],
    security: [{ bearer: [] }],
    tags: [...resourceTypes.map((rt) => ({ name: rt.name })), { name: 'discovery' }, { name: 'bulk' }, { name: 'events' }],
    paths: {
      ...Object.assign({}, ...resourceTypes.map((rt) => resourcePaths(rt, updatable(registry, rt)))),
      '/.search': {
        post: {
          operationId: 'searchAll',
          tags: ['discovery'],
          summary: 'Search every resource type (RFC 7644 §3.4.3)',
          requestBody: { required: true, ...scimBody(ref('SearchRequest')) },
          responses: responses({ '200': ok('a page', ref('ListResponse')) }, ['413']),
        },
      },
      '/Bulk': {
        post: {
          operationId: 'bulk',
          tags: ['bulk'],
          summary: 'Many writes in one request (RFC 7644 §3.7)',
          requestBody: { required: true, ...scimBody(ref('BulkRequest')) },
          responses: responses({ '200': ok('one result per operation', ref('BulkResponse')) }, ['413']),
        },
      },
      ...(me
        ? {
            '/Me': {
              post: {
                operationId: 'mePost',
                tags: ['User'],
                summary: 'Not implemented (501): users are created at /Users by the provisioning client',
                responses: responses({}, ['501']),
              },
              ...Object.fromEntries(
                (['get', 'put', 'patch', 'delete'] as const).map((method) => [
                  method,
                  {
                    operationId: `me${method[0]!.toUpperCase()}${method.slice(1)}`,
                    tags: ['User'],
                    summary: `${method.toUpperCase()} the user the JWT's subject names (RFC 7644 §3.11)`,
                    ...(method === 'put' ? { requestBody: { required: true, ...scimBody(ref('User')) } } : {}),
                    ...(method === 'patch' ? { requestBody: { required: true, ...scimBody(ref('PatchOp')) } } : {}),
                    responses: responses(
                      method === 'delete' ? { '204': { description: 'deleted' } } : { '200': ok('the user', ref('User')) },
                      ['404', '501'],
                    ),
                  },
                ]),
              ),
            },
          }
        : {}),
      ...discovery('/ServiceProviderConfig', 'serviceProviderConfig', 'What this service supports (RFC 7644 §4)'),
      ...discovery('/Schemas', 'schemas', "The tenant's schemas (RFC 7644 §4)"),
      ...discovery('/Schemas/{id}', 'schema', 'One schema', true),
      ...discovery('/ResourceTypes', 'resourceTypes', "The tenant's resource types (RFC 7644 §4)"),
      ...discovery('/ResourceTypes/{id}', 'resourceType', 'One resource type', true),
      '/Events': {
        get: {
          operationId: 'events',
          tags: ['events'],
          summary: 'The event feed: a page after a sequence number, or Server-Sent Events (docs/events.md)',
          parameters: [
            { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'count', in: 'query', schema: { type: 'integer', minimum: 1 } },
            { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
          ],
          responses: responses({
            '200': {
              description: 'a page of CloudEvents, or a text/event-stream',
              content: { 'application/json': { schema: ref('Events') }, 'text/event-stream': { schema: { type: 'string' } } },
            },
          }),
        },
      },
      ...Object.assign(
        {},
        ...['', '/Users', '/Groups'].map((prefix) => ({
          [`${prefix}/.deltaToken`]: {
            get: {
              operationId: `deltaToken${prefix.slice(1)}`,
              tags: ['events'],
              summary: `A delta token for ${prefix || 'every resource type'} (draft-sehgal-scim-delta-query-02, docs/delta-query.md)`,
              responses: responses({ '200': ok('a delta token', { type: 'object' }) }),
            },
          },
          [`${prefix}/.delta`]: {
            post: {
              operationId: `delta${prefix.slice(1)}`,
              tags: ['events'],
              summary: `The changes to ${prefix || 'every resource type'} since a delta token (draft-sehgal-scim-delta-query-02)`,
              requestBody: { required: true, ...scimBody({ type: 'object' }) },
              responses: responses({ '200': ok('the changes and the next token', { type: 'object' }) }, ['413']),
            },
          },
        })),
      ),
      '/Events/position': {
        get: {
          operationId: 'eventPosition',
          tags: ['events'],
          summary: "The tenant's latest event position, where a consumer's snapshot starts",
          responses: responses({
            '200': {
              description: 'the position',
              content: { 'application/json': { schema: { type: 'object', properties: { sequence: { type: 'integer' } } } } },
            },
          }),
        },
      },
      '/Events/SET/poll': {
        post: {
          operationId: 'pollSecurityEvents',
          tags: ['events'],
          summary: 'RFC 8936 poll of RFC 9967 security event tokens',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: responses({ '200': { description: 'signed SETs', content: { 'application/json': { schema: { type: 'object' } } } } }),
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          tags: ['discovery'],
          summary: 'This document',
          responses: responses({ '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } }),
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: "a tenant's SCIM token, or a JWT of its OAuth issuer" } },
      parameters: PARAMETERS,
      responses: errorResponses,
      schemas: { ...COMMON_SCHEMAS, ...Object.fromEntries(resourceTypes.map((rt) => [rt.name, resourceSchema(registry, rt)])) },
    },
  };
}

/** GET {basePath}/openapi.json, behind the SCIM authentication like every route of the SCIM scope. */
export function registerScimOpenApiRoute(scim: FastifyInstance, config: Config, registries: RegistrySource): void {
  route(scim, '/openapi.json', {
    GET: async (request, reply) => {
      const principal = request.principal!;
      const registry = await registries.forTenant(scopeOf(config, request).tenantId);
      return reply
        .type('application/json')
        .send(scimOpenApiDocument(registry, { baseUrl: baseUrlOf(config, request), tenant: principal.tenantName }));
    },
  });
}
