import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SinkStatus } from '../../events/sink-status.ts';
import { AUDIT_DEFAULT_PAGE, AUDIT_MAX_PAGE, type AuditLog, type AuditPageRequest } from '../../service/audit.ts';
import { AUDIT_ENTRY, SINK_STATUS } from './models.ts';

/** Event sink status and the audit log: what an operator watches. */
export function registerOperationsRoutes(
  admin: FastifyInstance,
  deps: { readonly sinks: () => Promise<readonly SinkStatus[]>; readonly audit: AuditLog },
): void {
  admin.get('/event-sinks', {
    schema: {
      summary: 'Status of the event sinks',
      description:
        "Per sink in SCIMD_EVENT_SINKS: the undelivered backlog (from the database) and what this instance's relay knows (deliveries, failures, last error).",
      tags: ['events'],
      response: { 200: { type: 'object', required: ['sinks'], properties: { sinks: { type: 'array', items: SINK_STATUS } } } },
    },
    handler: async () => ({ sinks: await deps.sinks() }),
  });

  admin.get('/audit', {
    schema: {
      summary: 'The audit log of writes',
      description:
        'Every POST, PUT, PATCH and DELETE on the SCIM endpoints that passed authentication, failed ones too, and the writes of this admin API; newest first. Ids and statuses only: never a body or a password. Follow nextCursor for the next page.',
      tags: ['audit'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          tenant: { type: 'string', description: 'only this tenant (by name)' },
          since: { type: 'string', description: 'ISO 8601: entries at or after this time' },
          until: { type: 'string', description: 'ISO 8601: entries before this time' },
          count: { type: 'integer', minimum: 1, maximum: AUDIT_MAX_PAGE, default: AUDIT_DEFAULT_PAGE, description: 'page size' },
          cursor: { type: 'string', description: 'nextCursor of the previous page' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['entries'],
          properties: {
            entries: { type: 'array', items: AUDIT_ENTRY },
            nextCursor: { type: ['string', 'null'], description: 'absent on the last page' },
          },
        },
      },
    },
    handler: async (request) => {
      const page = await deps.audit.page((request as FastifyRequest<{ Querystring: AuditPageRequest }>).query);
      return { entries: page.entries.map(({ tenantName, ...entry }) => ({ ...entry, tenant: tenantName })), nextCursor: page.nextCursor };
    },
  });
}
