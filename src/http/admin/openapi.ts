import type { FastifyInstance, FastifySchema } from 'fastify';
import { ERROR_SCHEMA } from '../../errors/to-response.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An admin route that needs no admin token (only /admin/openapi.json). */
    readonly public?: boolean;
  }
  interface FastifySchema {
    /** OpenAPI operation fields, read by openApiDocument; Fastify ignores them. */
    readonly summary?: string;
    readonly description?: string;
    readonly tags?: readonly string[];
  }
}

type JsonSchema = Record<string, unknown>;

/** One route of the admin plugin as registered: what the OpenAPI document is generated from. */
export interface RegisteredRoute {
  readonly method: string;
  /** Fastify form, prefix included: /admin/tenants/:name */
  readonly url: string;
  readonly schema: FastifySchema | undefined;
  readonly public: boolean;
}

/**
 * Records every route registered in the admin context (and its child plugins) from now on,
 * through Fastify's onRoute hook: the OpenAPI document is built from this list, so a route
 * cannot exist without appearing in it. HEAD routes Fastify adds for each GET are left out.
 */
export function collectRoutes(admin: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  admin.addHook('onRoute', (options) => {
    for (const method of [options.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: options.url ?? options.path, schema: options.schema, public: options.config?.public === true });
    }
  });
  return routes;
}

const ERROR_BODY: JsonSchema = {
  type: 'object',
  description: 'RFC 7644 §3.12 error body, as on the SCIM endpoints',
  required: ['schemas', 'status', 'detail'],
  properties: {
    schemas: { type: 'array', items: { const: ERROR_SCHEMA } },
    status: { type: 'string', examples: ['404'] },
    scimType: { type: 'string' },
    detail: { type: 'string' },
  },
};

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  const properties = (schema?.['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
    schema: property,
  }));
}

function responses(schema: FastifySchema, isPublic: boolean): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, JsonSchema>)) {
    const { description, ...body } = response;
    out[status] = {
      description: typeof description === 'string' ? description : 'OK',
      ...(body['type'] === 'null' ? {} : { content: { 'application/json': { schema: body } } }),
    };
  }
  const error = (description: string) => ({
    description,
    content: { 'application/scim+json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  if (!isPublic) out['401'] = error('no admin token, or not a valid one');
  out['4XX'] = error('refused: the SCIM error body says why');
  return out;
}

/**
 * The OpenAPI 3.1 description of the admin API, generated from the registered routes' Fastify
 * schemas (params, querystring, body, response) and their summary, description and tags. A route
 * registered without a summary is still listed, so a test can catch it.
 */
export function openApiDocument(routes: readonly RegisteredRoute[], info: { readonly version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const schema = route.schema ?? {};
    const body = schema.body as JsonSchema | undefined;
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      ...(schema.summary ? { summary: schema.summary } : {}),
      ...(schema.description ? { description: schema.description } : {}),
      ...(schema.tags ? { tags: schema.tags } : {}),
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/(^|[/_-])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}`,
      parameters: [
        ...parameters(schema.params as JsonSchema | undefined, 'path'),
        ...parameters(schema.querystring as JsonSchema | undefined, 'query'),
      ],
      // A body whose every field is optional may be left out (or sent as {}).
      ...(body
        ? {
            requestBody: {
              required: Array.isArray(body['required']) && body['required'].length > 0,
              content: { 'application/json': { schema: body } },
            },
          }
        : {}),
      responses: responses(schema, route.public),
      ...(route.public ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'scimd admin API',
      version: info.version,
      description:
        'Tenants, SCIM tokens, event sinks and the audit log of a scimd deployment. Authenticate with SCIMD_ADMIN_TOKEN or a token from `scimd admin-tokens create`; SCIM tokens are refused here.',
    },
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'SCIMD_ADMIN_TOKEN or an admin token (scimd_admin_…)' },
      },
      schemas: { Error: ERROR_BODY },
    },
    security: [{ adminToken: [] }],
  };
}
