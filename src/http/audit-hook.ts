import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resourceTypeOf } from '../schema/resource.ts';
import type { AuditLog } from '../service/audit.ts';
import { MAX_NAMED_SKIPPED } from './skipped-members.ts';

const OPERATIONS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' };

const arrival = (reply: FastifyReply) => new Date(Date.now() - reply.elapsedTime).toISOString();

/** What a SCIM write acted on, from its route (/Users/:id) and, for a create, its Location. */
function target(basePath: string, request: FastifyRequest, reply: FastifyReply) {
  const route = (request.routeOptions.url ?? '').slice(basePath.length);
  const endpoint = route.split('/')[1] ?? '';
  if (endpoint === 'Bulk') return { operation: 'bulk', resourceType: undefined, resourceId: undefined };
  const params = request.params as { id?: unknown } | undefined;
  let resourceId = typeof params?.id === 'string' ? params.id : undefined;
  const location = reply.getHeader('location');
  if (resourceId === undefined && reply.statusCode === 201 && typeof location === 'string')
    resourceId = location.slice(location.lastIndexOf('/') + 1);
  return {
    operation: OPERATIONS[request.method]!,
    resourceType: resourceTypeOf(endpoint) ?? endpoint,
    resourceId,
  };
}

/** The audit reason of a write that skipped unknown member ids: what it did not do, and why. */
function skippedReason(ids: readonly string[]): string {
  const named = ids.slice(0, MAX_NAMED_SKIPPED).join(', ');
  return `skipped ${ids.length} unknown member id${ids.length === 1 ? '' : 's'}: ${named}${ids.length > MAX_NAMED_SKIPPED ? ', …' : ''}`;
}

/**
 * Records every SCIM write (POST, PUT, PATCH, DELETE; not the POST of a .search or .delta, which read)
 * once it is answered, failed ones too, in the audit log: time, tenant, token, operation,
 * resource type and id, status. Never the body. Requests refused before authentication (401)
 * are not recorded: they have no tenant, and anyone could fill the log with them.
 */
export function installAuditHook(scim: FastifyInstance, basePath: string, audit: AuditLog): void {
  // A callback hook: it runs after every SCIM response, reads mostly, and has nothing to await.
  scim.addHook('onResponse', (request, reply, done) => {
    const principal = request.principal;
    if (OPERATIONS[request.method] !== undefined && principal !== null && !/\/\.(search|delta)$/.test(request.routeOptions.url ?? '')) {
      audit.record({
        time: arrival(reply),
        tenantId: principal.tenantId,
        tenantName: principal.tenantName,
        tokenId: principal.tokenId,
        status: reply.statusCode,
        requestId: request.id,
        ...target(basePath, request, reply),
        ...(reply.skippedMembers ? { reason: skippedReason(reply.skippedMembers) } : {}),
      });
    }
    done();
  });
}

/**
 * Records the writes of the admin API (any method but GET and HEAD, with a valid admin token) in
 * the same log: operation `admin:METHOD /admin/route/:param`, the admin token's id, and the tenant
 * the route names (its `:name`, or for a created tenant its Location). Never the body.
 */
export function installAdminAuditHook(admin: FastifyInstance, audit: AuditLog): void {
  admin.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.adminPrincipal) return;
    const params = (request.params ?? {}) as { name?: unknown; id?: unknown };
    const location = reply.getHeader('location');
    const created = reply.statusCode === 201 && typeof location === 'string' ? location.slice(location.lastIndexOf('/') + 1) : undefined;
    const tenantName = typeof params.name === 'string' ? params.name : request.routeOptions.url?.endsWith('/tenants') ? created : undefined;
    audit.record({
      time: arrival(reply),
      tenantId: undefined,
      tenantName,
      tokenId: request.adminPrincipal.tokenId,
      operation: `admin:${request.method} ${request.routeOptions.url ?? request.url}`,
      resourceType: undefined,
      resourceId: typeof params.id === 'string' ? params.id : tenantName,
      status: reply.statusCode,
      requestId: request.id,
    });
  });
}
