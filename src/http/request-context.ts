import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { RequestScope } from '../service/resource-view.ts';
import type { Principal } from '../service/tenants.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Whom a refused credential belongs to (revoked, expired, disabled tenant): the request log records it for that tenant. */
    refusedHolder: Principal | null;
  }
}

/** The base URL that meta.location and $ref start with: SCIMD_PUBLIC_URL, else the request's own origin. */
export function baseUrlOf(config: Config, request: FastifyRequest): string {
  const origin = config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin}${config.basePath}`;
}

/** The tenant scope of an authenticated request (the auth hook has run on every SCIM route). */
export function scopeOf(config: Config, request: FastifyRequest): RequestScope {
  if (!request.principal) throw new Error('scopeOf called on an unauthenticated route');
  const { tenantId, profile } = request.principal;
  return { tenantId, baseUrl: baseUrlOf(config, request), profile };
}
