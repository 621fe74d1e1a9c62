import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../errors/scim-error.ts';
import { REQUEST_LOG_DEFAULT_PAGE, REQUEST_LOG_MAX_PAGE, type RequestLog, type RequestLogFilters } from '../../service/request-log.ts';
import type { TenantService } from '../../service/tenants.ts';
import type { RequestLogRecord } from '../../store/ports/request-log.ts';
import { REQUEST_LOG_ENTRY, TENANT_NAME_PARAMS } from './models.ts';

const tags = ['requests'];
const NDJSON = 'application/x-ndjson';

type ListQuery = RequestLogFilters & { count?: number; cursor?: string; bodies?: boolean };

/** An entry as the admin API shows it; with bodies=false, without the two bodies (a listing's rows). */
export function requestView(r: RequestLogRecord, bodies = true) {
  return {
    id: String(r.seq),
    time: r.time,
    method: r.method,
    path: r.path,
    query: r.query,
    status: r.status,
    scimType: r.scimType,
    latencyMs: r.latencyMs,
    requestId: r.requestId,
    tokenId: r.tokenId,
    client: r.client,
    userAgent: r.userAgent,
    resourceId: r.resourceId,
    request: { ...(bodies ? { body: r.requestBody } : {}), bytes: r.requestBytes, cut: r.requestCut },
    response: { ...(bodies ? { body: r.responseBody } : {}), bytes: r.responseBytes, cut: r.responseCut },
    ...(r.operations ? { operations: r.operations } : {}),
  };
}

const FILTERS = {
  status: { type: 'string', description: 'status classes, comma-separated: 2xx, 4xx, 5xx; "error" is 4xx and 5xx', examples: ['4xx,5xx'] },
  method: { type: 'string', description: 'only this HTTP method', examples: ['PATCH'] },
  path: { type: 'string', description: 'only paths below the SCIM base path starting with this', examples: ['/Users'] },
  resourceId: { type: 'string', description: "only requests that named (or created) this resource, a /Bulk request's operations included" },
  since: { type: 'string', description: 'ISO 8601: requests that arrived at or after this time' },
  until: { type: 'string', description: 'ISO 8601: requests that arrived before this time' },
} as const;

/** The request log of one tenant's SCIM API: a page as JSON, everything as NDJSON, one entry. */
export function registerRequestLogRoutes(admin: FastifyInstance, deps: { tenants: TenantService; requestLog: RequestLog }): void {
  admin.get('/tenants/:name/requests', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: "A tenant's request log",
      description: `Every request the tenant's identity provider made to the SCIM API (SCIMD_REQUEST_LOG), newest first, with both bodies (secrets redacted, each cut at SCIMD_REQUEST_LOG_BODY_BYTES). Follow nextCursor. With Accept: ${NDJSON} the answer is every matching entry, one JSON object a line (count and cursor are ignored).`,
      tags,
      params: TENANT_NAME_PARAMS,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...FILTERS,
          count: {
            type: 'integer',
            minimum: 1,
            maximum: REQUEST_LOG_MAX_PAGE,
            default: REQUEST_LOG_DEFAULT_PAGE,
            description: 'page size',
          },
          cursor: { type: 'string', description: 'nextCursor of the previous page' },
          bodies: { type: 'boolean', default: true, description: 'false leaves the bodies out (a lighter listing)' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['entries'],
          properties: {
            entries: { type: 'array', items: REQUEST_LOG_ENTRY },
            nextCursor: { type: ['string', 'null'], description: 'absent on the last page' },
          },
        },
      },
    },
    handler: async (request, reply) => {
      const { params, query } = request as FastifyRequest<{ Params: { name: string }; Querystring: ListQuery }>;
      const { count, cursor, bodies, ...filters } = query;
      const tenant = await deps.tenants.findTenant(params.name);
      if (request.headers.accept?.includes(NDJSON)) {
        const entries = deps.requestLog.all(tenant.id, filters);
        // Validate the filters before the status line goes out: a bad one is still a 400.
        const first = await entries.next();
        const lines = async function* () {
          if (first.done) return;
          yield `${JSON.stringify(requestView(first.value))}\n`;
          for await (const entry of entries) yield `${JSON.stringify(requestView(entry))}\n`;
        };
        return reply.type(NDJSON).send(Readable.from(lines()));
      }
      const page = await deps.requestLog.page(tenant.id, filters, count, cursor);
      return { entries: page.entries.map((e) => requestView(e, bodies !== false)), nextCursor: page.nextCursor };
    },
  });

  admin.get('/tenants/:name/requests/:id', {
    config: { setupAccess: 'tenant' },
    schema: {
      summary: 'One request of the request log',
      tags,
      params: {
        type: 'object',
        required: ['name', 'id'],
        properties: { name: { type: 'string', description: 'the tenant name' }, id: { type: 'string', description: 'the entry id' } },
      },
      response: { 200: REQUEST_LOG_ENTRY },
    },
    handler: async (request) => {
      const { params } = request as FastifyRequest<{ Params: { name: string; id: string } }>;
      const tenant = await deps.tenants.findTenant(params.name);
      const entry = await deps.requestLog.find(tenant.id, params.id);
      if (!entry) throw notFound(`tenant "${params.name}" has no request ${params.id} in its log`);
      return requestView(entry);
    },
  });
}
